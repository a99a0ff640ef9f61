// Retention on the case page over HTTP, with members signed in through the real flow: the rule
// while a case is open, the deletion date once it is closed, a legal hold placed from its form
// (recorded with who and when), a second one refused beside the form, the proposal to lift it.
import { sql } from 'kysely';
import { WebClient } from '../helpers/cookie-jar';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { submitReport } from '../helpers/dashboard';
import { enrolMember, TestClock, type AuthTestServer, type EnrolledMember } from '../helpers/member-auth';
import { startTestServer } from '../helpers/server';

let t: TestDatabase;
let server: AuthTestServer;
const governanceClock = new TestClock();
const m: Record<'carol' | 'dave', EnrolledMember> = {} as never;
let coc: { reference: string; id: string };

beforeAll(async () => {
  t = await createTestDatabase();
  const clock = new TestClock();
  const running = await startTestServer(t.db, {}, { clock: clock.now, governanceClock: governanceClock.now });
  server = { ...running, clock };
  m.carol = await enrolMember(t.db, server, 'carol', 'approver');
  m.dave = await enrolMember(t.db, server, 'dave', 'approver');
  coc = await submitReport(t.db, 'coc', 'A maintainer mocked a newcomer.');
});
afterAll(async () => {
  await server?.close();
  await t?.destroy();
});

const client = (name: keyof typeof m): WebClient => m[name].client;
const casePath = () => `/dashboard/cases/${coc.reference}`;
const section = (html: string) => /<section aria-labelledby="retention-h"[\s\S]*?<\/section>/.exec(html)?.[0] ?? '';

test('an open case shows the rule; a closed one the date its content goes', async () => {
  const open = section((await client('carol').get(casePath())).html);
  expect(open).toContain('Once this case is closed, its content is kept 365 days');
  await t.db
    .updateTable('cases')
    .set({ status: 'closed', retention_started_at: sql<Date>`'2026-01-10T12:00:00Z'::timestamptz` })
    .where('id', '=', coc.id)
    .execute();
  const closed = section((await client('carol').get(casePath())).html);
  expect(closed).toContain('data-delete-on');
  // 365 days after the clock started; not warned yet, so never sooner than a week from now.
  const due = new Date(Math.max(Date.parse('2027-01-10T12:00:00Z'), governanceClock.now().getTime() + 7 * 86_400_000));
  expect(closed).toContain(`deleted for good on <strong>${due.toISOString().slice(0, 10)}</strong>`);
  expect(closed).toContain('Place a legal hold');
});

test('a reader places a legal hold from the form; a second is refused beside it; an approver may propose lifting it', async () => {
  const page = await client('carol').get(casePath());
  const placed = await client('carol').submit(page, `${casePath()}/retention/hold`, {});
  expect(placed.status).toBe(303);
  const after = section((await client('carol').follow(placed)).html);
  expect(after).toContain('A legal hold is in force');
  expect(after).toContain('placed by Carol');
  expect(after).not.toContain('Place a legal hold');
  const hold = await t.db
    .selectFrom('case_legal_holds')
    .select(['placed_by_member_id', 'lifted_at'])
    .where('case_id', '=', coc.id)
    .executeTakeFirstOrThrow();
  expect(hold).toEqual({ placed_by_member_id: m.carol.id, lifted_at: null });

  // Dave posts the form once more (a stale page, or twice): refused beside it, nothing stored.
  const stale = await client('dave').get(casePath());
  const refused = await client('dave').post(`${casePath()}/retention/hold`, {
    _csrf: /name="_csrf" value="([^"]+)"/.exec(stale.html)![1]!,
  });
  expect(refused.status).toBe(400);
  expect(section(refused.html)).toContain('A legal hold is already in force on this case.');

  const lift = await client('dave').submit(stale, `${casePath()}/retention/lift`, {});
  expect(lift.status).toBe(303);
  const proposals = await t.db
    .selectFrom('proposals')
    .select(['kind', 'status'])
    .where('case_id', '=', coc.id)
    .execute();
  expect(proposals).toEqual([{ kind: 'lift-legal-hold', status: 'open' }]);
  expect((await client('dave').follow(lift)).html).toContain('Lift the legal hold on this case');
});
