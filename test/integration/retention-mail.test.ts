// Retention through its real pg-boss job and the real mail queue, to a real SMTP peer: the readers
// of a case are warned once per deletion date (an approver the reporter named is not a reader and
// hears nothing), the mail carries no content, and the job deletes a week after the warning.
import { sql } from 'kysely';
import { createLogger } from '../../server/log';
import { addDays } from '../../server/retention/retention-rules';
import { runRetention, startRetentionJob, type RetentionJob } from '../../server/retention/retention-job';
import { submitReport } from '../helpers/dashboard';
import { fixtureKey } from '../helpers/keys';
import { startMailScenario, type MailScenario } from '../helpers/mail-scenario';
import { canary } from '../helpers/report-scenario';

let s: MailScenario;
let job: RetentionJob;
const CONTENT = canary('retention-mail');

beforeAll(async () => {
  s = await startMailScenario();
  job = await startRetentionJob(
    s.mail.boss,
    { db: s.database.db, config: s.config, events: s.mail.events, log: createLogger(() => undefined) },
    { pollingIntervalSeconds: 0.5 },
  );
});
afterAll(async () => {
  await s?.close();
});

const deps = () => ({ db: s.database.db, config: s.config, events: s.mail.events, log: createLogger(() => undefined) });

async function waitUntil(check: () => Promise<boolean>, what: string): Promise<void> {
  const until = Date.now() + 20_000;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

test('the readers are warned once per date, without content; the job deletes a week later', async () => {
  const db = s.database.db;
  const c = await submitReport(db, 'coc', `Harassment. ${CONTENT}`, [s.members.dave!.id]);
  await db
    .updateTable('cases')
    .set({ status: 'closed', retention_started_at: sql<Date>`now() - interval '400 days'` })
    .where('id', '=', c.id)
    .execute();
  const now = new Date();

  await job.enqueue(now);
  await s.sink!.waitFor(1);
  // Run again, through the job and directly: no second mail for the same date.
  await job.enqueue(now);
  await runRetention(deps(), addDays(now, 1));
  await new Promise((r) => setTimeout(r, 3000));
  expect(s.sink!.messages.map((m) => m.to)).toEqual([[fixtureKey('carol').email]]);
  const raw = s.sink!.messages[0]!.raw.toString('utf8');
  expect(raw).toContain(`The content of ${c.reference} will be deleted`);
  expect(raw).toContain('legal hold');
  expect(raw).not.toContain(CONTENT);
  expect(raw).not.toContain(fixtureKey('dave').email);

  await job.enqueue(addDays(now, 8));
  await waitUntil(
    async () =>
      (await db.selectFrom('cases').select('content_deleted_at').where('id', '=', c.id).executeTakeFirstOrThrow())
        .content_deleted_at !== null,
    'the job to delete the content',
  );
  const actions = await db
    .selectFrom('audit_log')
    .select('action')
    .where('case_id', '=', c.id)
    .where('action', 'like', 'retention.%')
    .execute();
  expect(actions.map((a) => a.action)).toEqual(['retention.deletion-announced', 'retention.content-deleted']);
  expect(await db.selectFrom('messages').select('id').where('case_id', '=', c.id).execute()).toEqual([]);
});
