// DESIGN §2: "every figure a member sees is computed only over cases that member may read". An
// approver named in a CoC report must not learn of it from any figure either: while it arrives and
// is worked on (comments, a move, an assignment, each queueing mail to its readers), his dashboard —
// list, counts, total, references, the mail banner and its counter — and the audit trail of his own
// case stay exactly as they were. The app runs with its real mail queue (pg-boss) and no relay.
import { mailQueueCounts } from '../../db/mail-queue.queries';
import type { MemberWithKey } from '../../db/members.queries';
import { sessionCookieName } from '../../server/http/auth-cookies';
import { startSession } from '../../server/auth/sessions';
import { authSettings } from '../../server/auth/settings';
import { addCaseMessage } from '../../server/cases/case-messages';
import { assignCase, moveCase } from '../../server/cases/case-work';
import { SEND_QUEUE } from '../../server/mail/queue';
import { encryptArmored, signedIn } from '../helpers/dashboard';
import { fixtureKey, type GoodKeyName } from '../helpers/keys';
import { startMailScenario, type MailScenario } from '../helpers/mail-scenario';
import { submitThroughForm } from '../helpers/report-client';
import { fieldText } from '../helpers/report-page';

let s: MailScenario;
const cookies = new Map<string, string>();
let visible: { reference: string };

beforeAll(async () => {
  s = await startMailScenario({
    relay: false,
    members: [
      ['alice', 'srt'],
      ['bob', 'srt'],
      ['carol', 'approver'],
      ['dave', 'approver'],
      ['erin', 'approver'],
    ],
  });
  const settings = authSettings(s.config);
  for (const name of ['carol', 'dave', 'erin'] as const) {
    cookies.set(name, `${sessionCookieName(settings)}=${await startSession(s.database.db, member(name).id, settings)}`);
  }
  // dave's own case: a CoC report every approver reads.
  visible = await submitThroughForm(s.webUrl, {
    kind: 'coc',
    fields: fieldText('coc', 'Spam in the community chat.'),
    attachments: [],
  });
});
afterAll(() => s?.close());

const member = (name: GoodKeyName): MemberWithKey => s.members[name]!;

async function page(name: string, path: string): Promise<string> {
  const response = await fetch(`${s.webUrl}${path}`, { headers: { cookie: cookies.get(name)! } });
  expect(response.status).toBe(200);
  // The CSRF tokens differ per response; nothing else may.
  return (await response.text()).replace(/(name="_csrf" value|data-csrf)="[^"]*"/g, '$1=""');
}

/** The rows of the audit trail on a case page, as shown. */
function auditTrail(html: string): string[][] {
  const table = /<table class="audit">([\s\S]*?)<\/table>/.exec(html)![1]!;
  return [...table.matchAll(/<tr><td>([\s\S]*?)<\/tr>/g)].map((row) =>
    row[0]
      .split(/<\/td><td>/)
      .map((cell) => cell.replace(/<[^>]+>/g, '').trim())
      // The row hash appears once the background sealer has got to the row.
      .slice(0, 5),
  );
}

const waitingInQueue = async () => {
  const counts = await mailQueueCounts(s.database.db, SEND_QUEUE);
  return (counts.created ?? 0) + (counts.retry ?? 0) + (counts.active ?? 0);
};

test('a hidden case arrives and is worked on: the excluded approver sees every figure as before', async () => {
  // His own case first: opening it changes his own read marks, which the dashboard then shows.
  const caseBefore = auditTrail(await page('dave', `/dashboard/cases/${visible.reference}`));
  const daveBefore = await page('dave', '/dashboard');
  expect(daveBefore).toContain('Outbound mail is not set up');
  expect(daveBefore).toContain('1 to you waiting');
  expect(daveBefore).toContain('1 in all');
  const queuedBefore = await waitingInQueue();

  // The report that names dave, then its readers at work.
  const hidden = await submitThroughForm(s.webUrl, {
    kind: 'coc',
    fields: fieldText('coc', 'Dave was abusive in review.'),
    attachments: [],
    involved: [member('dave').id],
  });
  const carol = signedIn(member('carol'));
  const comment = await encryptArmored('Talk to the reporter first.', [
    fixtureKey('carol').publicKey,
    fixtureKey('erin').publicKey,
  ]);
  await addCaseMessage(s.database.db, carol, hidden.reference, 'comment', comment, s.mail.events);
  await moveCase(s.database.db, carol, hidden.reference, 'acknowledged');
  await assignCase(s.database.db, carol, hidden.reference, member('erin').id, s.mail.events);
  // The hidden case did queue mail — to its readers, carol and erin.
  expect(await waitingInQueue()).toBeGreaterThanOrEqual(queuedBefore + 4);

  expect(await page('dave', '/dashboard')).toBe(daveBefore);
  for (const query of ['?kind=coc', '?status=new', '?assigned=none', '?sort=oldest', '?overdue=1']) {
    expect(await page('dave', `/dashboard${query}`)).not.toContain(hidden.reference);
  }
  // His own case's trail: what he saw, then his second look, numbered on; nothing of other cases.
  const caseAfter = auditTrail(await page('dave', `/dashboard/cases/${visible.reference}`));
  expect(caseAfter.slice(0, caseBefore.length)).toEqual(caseBefore);
  expect(caseAfter).toHaveLength(caseBefore.length + 1);
  expect(caseAfter.map((row) => row[0])).toEqual(caseAfter.map((_, i) => String(i + 1)));
  expect(caseAfter.at(-1)![3]).toBe('case.viewed');
});

test("each reader's counter counts the notifications addressed to that reader, about cases the reader reads", async () => {
  // carol: both cases routed to her. erin: both routed, carol's comment, the assignment.
  expect(await page('carol', '/dashboard')).toContain('2 to you waiting');
  expect(await page('erin', '/dashboard')).toContain('4 to you waiting');
  expect(await page('dave', '/dashboard')).toContain('1 to you waiting');
});
