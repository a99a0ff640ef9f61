// The liaison on a real PostgreSQL (issue 10 §5), through the effect functions a passed decision
// calls: who can be appointed, access to that case alone, every workflow change and reply refused
// (403), comments allowed, the committee's decision stored encrypted to the readers and ending the
// appointment when the committee closed its case, and the appointment ending on a hard conflict,
// by a decision and when the case closes.
import type { MemberWithKey } from '../../db/members.queries';
import { caseTimeline } from '../../db/case-view.queries';
import { decryptSplit } from '../../crypto/split-message';
import { listCaseAudit } from '../../server/audit/audit-log';
import { listCasesForMember, parseCaseListQuery } from '../../server/cases/case-list';
import { addCaseMessage, messageRecipients } from '../../server/cases/case-messages';
import { reopenCase } from '../../server/cases/case-reopen';
import {
  CASE_NOT_FOUND,
  assignCase,
  checkCaseMove,
  moveCase,
  openCase,
  setEmbargo,
  setExpedited,
  setSeverity,
} from '../../server/cases/case-work';
import { recordCommitteeDecision } from '../../server/governance/committee-decision';
import { recordConflict } from '../../server/governance/conflicts';
import { appointLiaison, checkLiaisonAppointment, checkLiaisonEnd, endLiaison } from '../../server/governance/liaison';
import { BY_SYSTEM } from '../../server/governance/governance-actor';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { domainErrorOf, encryptArmored, recordingEvents, signedIn, submitReport } from '../helpers/dashboard';
import { fixtureKey, fixturePrivateKey, type GoodKeyName } from '../helpers/keys';
import { addCast } from '../helpers/stored-case';

let t: TestDatabase;
let cast: Awaited<ReturnType<typeof addCast>>;
const events = recordingEvents();
const as = (name: GoodKeyName) => signedIn(cast[name] as MemberWithKey);
const id = (name: GoodKeyName) => cast[name]!.id;
const appoint = (caseId: string, name: GoodKeyName) =>
  t.db.transaction().execute((trx) => appointLiaison(trx, caseId, id(name), { ...BY_SYSTEM, proposalId: null }));
const appointments = (caseId: string) =>
  t.db
    .selectFrom('liaison_appointments')
    .select(['member_id', 'ended_at', 'ended_because'])
    .where('case_id', '=', caseId)
    .orderBy('appointed_at')
    .execute();
const isReader = async (caseId: string, name: GoodKeyName) =>
  Boolean(
    await t.db
      .selectFrom('case_readers')
      .select('member_id')
      .where('case_id', '=', caseId)
      .where('member_id', '=', id(name))
      .executeTakeFirst(),
  );

beforeAll(async () => {
  t = await createTestDatabase();
  cast = await addCast(t.db, { alice: 'srt', carol: 'approver', dave: 'approver', frank: 'liaison', gina: 'liaison' });
});
afterAll(async () => {
  await t.destroy();
});

test('who can be appointed: a liaison without a conflict, on an open CoC case, not appointed already', async () => {
  const c = await submitReport(t.db, 'coc', 'Insults in the issue tracker.');
  const sec = await submitReport(t.db, 'security', 'An SSRF.');
  const refusal = async (caseId: string, memberId: string) =>
    (await domainErrorOf(checkLiaisonAppointment(t.db, caseId, memberId))).message;
  expect(await refusal(c.id, id('carol'))).toMatch(/role "liaison"/);
  expect(await refusal(sec.id, id('frank'))).toMatch(/Code of Conduct cases only/);
  expect(await refusal(c.id, '00000000-0000-4000-8000-000000000000')).toMatch(/not on file/);
  await t.db
    .insertInto('case_conflicts')
    .values({ case_id: c.id, member_id: id('gina'), level: 'soft', ground: 'appearance', recorded_by_member_id: null })
    .execute();
  expect(await refusal(c.id, id('gina'))).toMatch(/conflict of interest/);
  await expect(checkLiaisonAppointment(t.db, c.id, id('frank'))).resolves.toBeUndefined();
  await appoint(c.id, 'frank');
  expect(await refusal(c.id, id('frank'))).toMatch(/already the liaison/);
  await t.db.updateTable('cases').set({ status: 'closed' }).where('id', '=', sec.id).execute();
  const closed = await submitReport(t.db, 'coc', 'Old case.');
  await t.db.updateTable('cases').set({ status: 'closed' }).where('id', '=', closed.id).execute();
  expect(await refusal(closed.id, id('frank'))).toMatch(/closed/);
});

test('an appointed liaison reads that case alone and may not change the workflow, reply or reopen', async () => {
  const c = await submitReport(t.db, 'coc', 'Doxxing in the chat.');
  const other = await submitReport(t.db, 'coc', 'Spam.');
  await appoint(c.id, 'gina');
  expect(await isReader(c.id, 'gina')).toBe(true);
  const audit = await listCaseAudit(t.db, c.id);
  expect(audit.filter((a) => a.action === 'access.reader-added').map((a) => a.details)).toEqual([
    { memberId: id('gina'), via: 'liaison' },
  ]);
  expect(audit.some((a) => a.action === 'liaison.appointed' && a.details.memberId === id('gina'))).toBe(true);

  const page = await listCasesForMember(t.db, as('gina'), parseCaseListQuery({}));
  expect(page.rows.map((r) => r.reference)).toEqual([c.reference]);
  expect(page.total).toBe(1);
  expect((await domainErrorOf(openCase(t.db, as('gina'), other.reference))).message).toBe(CASE_NOT_FOUND);
  expect((await openCase(t.db, as('gina'), c.reference)).detail.id).toBe(c.id);

  const refused = [
    moveCase(t.db, as('gina'), c.reference, 'acknowledged'),
    checkCaseMove(t.db, as('gina'), c.reference, 'acknowledged'),
    assignCase(t.db, as('gina'), c.reference, id('gina'), events),
    setSeverity(t.db, as('gina'), c.reference, { vector: '', cwe: '', affectedVersions: '' }),
    setEmbargo(t.db, as('gina'), c.reference, '2027-01-01'),
    setExpedited(t.db, as('gina'), c.reference, true),
    reopenCase(t.db, as('gina'), c.reference, { text: 'why' }, events),
    messageRecipients(t.db, as('gina'), c.reference, 'reply'),
    addCaseMessage(t.db, as('gina'), c.reference, 'reply', 'x', events),
  ];
  for (const attempt of refused) {
    const error = await domainErrorOf(attempt);
    expect(error.kind).toBe('forbidden');
    expect(error.message).toMatch(/^A liaison cannot .*As the liaison you can read this case/);
  }
  const row = await t.db
    .selectFrom('cases')
    .select(['status', 'assignee_id', 'embargo_until', 'expedited'])
    .where('id', '=', c.id)
    .executeTakeFirstOrThrow();
  expect(row).toEqual({ status: 'new', assignee_id: null, embargo_until: null, expedited: false });

  // A comment to the readers is what a liaison may write.
  const recipients = await messageRecipients(t.db, as('gina'), c.reference, 'comment');
  expect(recipients.readers.map((r) => r.name).sort()).toEqual(
    [cast.carol!.name, cast.dave!.name, cast.gina!.name].sort(),
  );
  const comment = await encryptArmored(
    'The committee asks for the chat logs.',
    recipients.readers.map((r) => r.publicKey),
  );
  await expect(addCaseMessage(t.db, as('gina'), c.reference, 'comment', comment, events)).resolves.toHaveProperty('id');
});

test('the committee’s decision: stored encrypted to the readers, and “closed” ends the appointment after storing it', async () => {
  const c = await submitReport(t.db, 'coc', 'Threats by direct message.');
  await appoint(c.id, 'frank');
  const readersNow = (await messageRecipients(t.db, as('frank'), c.reference, 'comment')).readers;
  const text = 'The committee decided: a temporary ban of 30 days.';
  const first = await encryptArmored(
    text,
    readersNow.map((r) => r.publicKey),
  );
  // Only the appointed liaison records it.
  expect(
    (
      await domainErrorOf(
        recordCommitteeDecision(t.db, as('carol'), c.reference, { message: first, committeeClosed: false }, events),
      )
    ).kind,
  ).toBe('forbidden');
  const stored = await recordCommitteeDecision(
    t.db,
    as('frank'),
    c.reference,
    { message: first, committeeClosed: false },
    events,
  );
  expect(stored.appointmentEnded).toBe(false);
  const entry = (await caseTimeline(t.db, c.id, id('carol'))).find((m) => m.id === stored.id)!;
  expect(entry.role).toBe('committee-decision');
  expect(Buffer.from(entry.body).includes(Buffer.from('temporary ban'))).toBe(false);
  const { data } = await decryptSplit({
    sessionKeyPacket: entry.packet!,
    body: entry.body,
    decryptionKey: await fixturePrivateKey('carol'),
  });
  expect(data).toBe(text);
  const packets = await t.db
    .selectFrom('session_keys')
    .select('recipient_fingerprint')
    .where('message_id', '=', stored.id)
    .execute();
  expect(packets.map((p) => p.recipient_fingerprint).sort()).toEqual(
    [fixtureKey('carol').fingerprint, fixtureKey('dave').fingerprint, fixtureKey('frank').fingerprint].sort(),
  );
  // A message addressed to fewer than the readers is refused, and stores nothing.
  const partial = await encryptArmored(text, [fixtureKey('frank').publicKey]);
  expect(
    (
      await domainErrorOf(
        recordCommitteeDecision(t.db, as('frank'), c.reference, { message: partial, committeeClosed: true }, events),
      )
    ).kind,
  ).toBe('bad-input');
  expect((await appointments(c.id))[0]!.ended_at).toBeNull();

  const last = await encryptArmored(
    'The committee closed its case.',
    readersNow.map((r) => r.publicKey),
  );
  const closing = await recordCommitteeDecision(
    t.db,
    as('frank'),
    c.reference,
    { message: last, committeeClosed: true },
    events,
  );
  expect(closing.appointmentEnded).toBe(true);
  expect((await appointments(c.id)).map((a) => a.ended_because)).toEqual(['committee-closed']);
  expect(await isReader(c.id, 'frank')).toBe(false);
  expect((await caseTimeline(t.db, c.id, id('carol'))).some((m) => m.id === closing.id)).toBe(true);
  const audit = await listCaseAudit(t.db, c.id);
  expect(audit.filter((a) => a.action === 'liaison.decision-recorded').map((a) => a.details.committeeClosed)).toEqual([
    false,
    true,
  ]);
  expect(audit.find((a) => a.action === 'access.revoked')!.details).toMatchObject({
    memberId: id('frank'),
    reason: 'liaison-ended',
  });
});

test('the appointment ends on a hard conflict, by a decision, and when the case closes', async () => {
  const a = await submitReport(t.db, 'coc', 'Case A.');
  await appoint(a.id, 'frank');
  await recordConflict(t.db, as('carol'), a.reference, { memberId: id('frank'), ground: 'close-relationship' });
  expect((await appointments(a.id)).map((x) => x.ended_because)).toEqual(['conflict']);
  expect(await isReader(a.id, 'frank')).toBe(false);

  const b = await submitReport(t.db, 'coc', 'Case B.');
  await appoint(b.id, 'frank');
  await expect(checkLiaisonEnd(t.db, b.id, id('frank'))).resolves.toBeUndefined();
  await expect(checkLiaisonEnd(t.db, b.id, id('gina'))).rejects.toThrow(/not the liaison/);
  await t.db.transaction().execute((trx) => endLiaison(trx, b.id, id('frank'), 'decision', { ...BY_SYSTEM }));
  expect((await appointments(b.id)).map((x) => x.ended_because)).toEqual(['decision']);
  expect(await isReader(b.id, 'frank')).toBe(false);
  await expect(checkLiaisonEnd(t.db, b.id, id('frank'))).rejects.toThrow(/not the liaison/);

  const c = await submitReport(t.db, 'coc', 'Case C.');
  await appoint(c.id, 'frank');
  await appoint(c.id, 'gina');
  await moveCase(t.db, as('carol'), c.reference, 'acknowledged');
  await moveCase(t.db, as('carol'), c.reference, 'investigating');
  await moveCase(t.db, as('carol'), c.reference, 'resolved', { resolution: 'warning' });
  expect((await appointments(c.id)).map((x) => x.ended_at)).toEqual([null, null]);
  await moveCase(t.db, as('carol'), c.reference, 'closed');
  expect((await appointments(c.id)).map((x) => x.ended_because)).toEqual(['case-closed', 'case-closed']);
  expect(await isReader(c.id, 'frank')).toBe(false);
  expect(await isReader(c.id, 'gina')).toBe(false);
  expect(await isReader(c.id, 'carol')).toBe(true);
});
