// Mail around conflicts and the liaison, through pg-boss to a real SMTP sink: an appointed liaison is
// told (after the decision's transaction, as decision-effects' afterCommit says), without content;
// a notification still queued for a member who then gets a hard conflict is never sent (the sender
// checks the readers again), while the same notification to a reader goes out.
import { simpleParser } from 'mailparser';
import { createMailTemplates } from '../../server/mail/compose';
import { createNotificationSender } from '../../server/mail/notification-sender';
import { createMailer } from '../../server/mail/transport';
import { createLogger } from '../../server/log';
import { DECISION_EFFECTS } from '../../server/governance/decision-effects';
import { recordConflict } from '../../server/governance/conflicts';
import { BY_SYSTEM } from '../../server/governance/governance-actor';
import { signedIn } from '../helpers/dashboard';
import { fixtureKey } from '../helpers/keys';
import { startMailScenario, type MailScenario } from '../helpers/mail-scenario';
import { submitThroughForm } from '../helpers/report-client';
import { fieldText } from '../helpers/report-page';
import { canary } from '../helpers/report-scenario';

let s: MailScenario;
beforeAll(async () => {
  s = await startMailScenario({
    members: [
      ['carol', 'approver'],
      ['dave', 'approver'],
      ['frank', 'liaison'],
    ],
  });
});
afterAll(() => s?.close());

const caseId = async (reference: string) =>
  (await s.database.db.selectFrom('cases').select('id').where('reference', '=', reference).executeTakeFirstOrThrow())
    .id;
const mailTo = (email: string) => s.sink!.messages.filter((m) => m.to.includes(email));

test('the appointed liaison is told by mail, with the reference and no content', async () => {
  const secret = canary('liaison-mail');
  const c = await submitThroughForm(s.webUrl, { kind: 'coc', fields: fieldText('coc', secret), attachments: [] });
  await s.sink!.waitFor(2);
  const subject = { caseId: await caseId(c.reference), subjectMemberId: s.members.frank!.id, subjectConflictId: null };
  const effect = DECISION_EFFECTS['appoint-liaison'];
  await effect.check(s.database.db, subject);
  await s.database.db.transaction().execute((trx) => effect.apply(trx, subject, { ...BY_SYSTEM }));
  await effect.afterCommit!(s.mail.events, subject);
  await s.sink!.waitFor(3);
  const [mail] = mailTo(fixtureKey('frank').email);
  expect(mail).toBeDefined();
  const parsed = await simpleParser(mail!.raw);
  expect(parsed.subject).toBe(`[Kmesh] You are the liaison on ${c.reference}`);
  expect(parsed.text).toContain(`/dashboard/cases/${c.reference}`);
  expect(parsed.text).toContain('record the committee');
  expect(mail!.raw.toString()).not.toContain(secret);
});

test('a notification queued before a hard conflict is never sent to that member; a reader still gets it', async () => {
  const c = await submitThroughForm(s.webUrl, { kind: 'coc', fields: fieldText('coc', 'Late'), attachments: [] });
  const id = await caseId(c.reference);
  await recordConflict(s.database.db, signedIn(s.members.carol!), c.reference, {
    memberId: s.members.dave!.id,
    ground: 'close-relationship',
  });
  // The job as the queue hands it to the sender, for dave (no longer a reader) and for carol.
  const sent: string[] = [];
  const relay = createMailer(s.config.mail);
  const mailer = {
    ...relay,
    send: (mail: Parameters<typeof relay.send>[0]) => (sent.push(String(mail.to)), relay.send(mail)),
  };
  const send = createNotificationSender({
    db: s.database.db,
    mailer,
    templates: createMailTemplates(s.config),
    config: s.config,
    log: createLogger(() => undefined),
  });
  await send({ event: 'overdue', caseId: id, memberId: s.members.dave!.id });
  await send({ event: 'overdue', caseId: id, memberId: s.members.carol!.id });
  expect(sent).toEqual([fixtureKey('carol').email]);
  relay.close();
});
