// The CNCF CoC Committee's central record (issue 11 §4) on a real PostgreSQL, through pg-boss to a
// real SMTP peer: the notices asked for at acknowledgement and at resolution, written encrypted to
// the committee's key alone, mailed as PGP/MIME that gpg decrypts with the committee's key, carrying
// nothing of the report; the setting that turns it off; the remedies that need a legal consultation
// and the approvers' decision.
import { simpleParser } from 'mailparser';
import { setCommitteeKey } from '../../server/governance/committee';
import { moveCase, requireReadableCase } from '../../server/cases/case-work';
import { silentCaseEvents } from '../../server/cases/case-events';
import { reopenCase } from '../../server/cases/case-reopen';
import { caseRecipients } from '../../server/cases/case-messages';
import { writeCharterValue } from '../../db/charter.queries';
import { noticeRecipient, submitNotice } from '../../server/governance/cncf-notices';
import { checkCocResolution, recordLegalConsultation } from '../../server/governance/cncf-record';
import { cncfRecordView } from '../../server/governance/cncf-record-view';
import { propose } from '../../server/governance/decisions';
import { settleProposals } from '../../server/governance/decision-settle';
import { appointLiaison } from '../../server/governance/liaison';
import { BY_SYSTEM } from '../../server/governance/governance-actor';
import { encryptNotice } from '../../server/browser/cncf-record';
import { domainErrorOf, encryptArmored, signedIn, submitReport } from '../helpers/dashboard';
import { createGnupgHome, type GnupgHome } from '../helpers/gnupg';
import { fixtureKey } from '../helpers/keys';
import { startMailScenario, type MailScenario } from '../helpers/mail-scenario';

let s: MailScenario;
let gpg: GnupgHome;
const COMMITTEE = fixtureKey('frank');
beforeAll(async () => {
  s = await startMailScenario({
    members: [
      ['carol', 'approver'],
      ['dave', 'approver'],
      ['erin', 'liaison'],
    ],
  });
  gpg = await createGnupgHome();
  await gpg.importKey(COMMITTEE.secretKey);
  await setCommitteeKey(db(), { email: COMMITTEE.email, armoredKey: COMMITTEE.publicKey });
});
afterAll(async () => {
  await gpg?.destroy();
  await s?.close();
});

const db = () => s.database.db;
const carol = () => signedIn(s.members.carol!);
const erin = () => signedIn(s.members.erin!);
const armoredBlocks = (raw: Buffer) =>
  [...raw.toString('utf8').matchAll(/-----BEGIN PGP MESSAGE-----[\s\S]*?-----END PGP MESSAGE-----/g)].map((x) =>
    x[0].replace(/\r\n/g, '\n'),
  );

async function caseView(reference: string, member = carol()) {
  return cncfRecordView(db(), member, await requireReadableCase(db(), member, reference), new Date());
}

async function writeNotice(reference: string, stage: 'incident' | 'resolution', text: string) {
  const recipient = await noticeRecipient(db(), carol(), reference);
  return submitNotice(
    db(),
    carol(),
    reference,
    { stage, message: await encryptNotice(recipient, stage, text) },
    s.mail.events,
  );
}

/** The one mail to the committee: decrypted by gpg with the committee's key, as its mail program would. */
async function receiveNotice() {
  await s.sink!.waitFor(1);
  const [sent] = s.sink!.messages;
  s.sink!.messages.length = 0;
  expect(sent!.to).toEqual([COMMITTEE.email]);
  const raw = sent!.raw.toString('utf8');
  expect(raw).toMatch(/multipart\/encrypted; protocol="application\/pgp-encrypted"/);
  const [block] = armoredBlocks(sent!.raw);
  const inner = await simpleParser(await gpg.decrypt(block!));
  return { raw, outer: await simpleParser(sent!.raw), text: inner.text ?? '', innerSubject: inner.subject };
}

const waitFor = async (done: () => Promise<boolean>) => {
  for (let i = 0; i < 100 && !(await done()); i += 1) await new Promise((r) => setTimeout(r, 100));
};

test('a notice is asked for at acknowledgement and at resolution, mailed as PGP/MIME the committee decrypts, and recorded without its text', async () => {
  const canary = `canary-report-${Date.now()}`;
  const found = await submitReport(db(), 'coc', `The report ${canary}: the reporter is Rita Witness.`);
  const before = await caseView(found.reference);
  expect(before!.stages.map((x) => [x.stage, x.due, x.canWrite])).toEqual([
    ['incident', false, false],
    ['resolution', false, false],
  ]);
  expect(before!.unsent).toEqual([]);
  expect((await domainErrorOf(writeNotice(found.reference, 'incident', 'Too early.'))).kind).toBe('bad-input');

  await moveCase(db(), carol(), found.reference, 'acknowledged');
  const acknowledged = await caseView(found.reference);
  expect(acknowledged!.stages[0]).toMatchObject({ stage: 'incident', due: true, canWrite: true, sentAt: null });
  expect(acknowledged!.unsent).toEqual(['Incident notice']);

  s.sink!.messages.length = 0;
  const summary = 'Harassment in the project chat; the accused is Mallory Example.';
  const { id } = await writeNotice(found.reference, 'incident', summary);
  const incident = await receiveNotice();
  expect(incident.text.trim()).toBe(summary);
  expect(incident.outer.subject).toContain(found.reference);
  expect(incident.outer.subject).toContain('incident notice');
  expect(incident.innerSubject).toContain('incident notice');
  for (const leak of [canary, 'Rita', 'Mallory']) expect(incident.raw).not.toContain(leak);

  await waitFor(async () => (await caseView(found.reference))!.stages[0]!.sentAt !== null);
  const row = await db().selectFrom('cncf_notices').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  expect(row.armored).toBeNull();
  expect(row.sent_at).not.toBeNull();
  expect(row.written_by_member_id).toBe(s.members.carol!.id);
  const sentView = await caseView(found.reference);
  expect(sentView!.unsent).toEqual([]);
  expect(sentView!.stages[0]).toMatchObject({ writtenBy: s.members.carol!.name, canWrite: false });
  // Sent once: writing it again is refused.
  expect((await domainErrorOf(writeNotice(found.reference, 'incident', 'Again.'))).kind).toBe('conflict');

  await moveCase(db(), carol(), found.reference, 'investigating');
  await moveCase(db(), carol(), found.reference, 'resolved', { resolution: 'warning' });
  expect((await caseView(found.reference))!.unsent).toEqual(['Resolution notice']);
  const outcome = 'A violation was found. Remedy: a private warning.';
  await writeNotice(found.reference, 'resolution', outcome);
  expect((await receiveNotice()).text.trim()).toBe(outcome);
  await waitFor(async () => (await caseView(found.reference))!.unsent.length === 0);
  expect((await domainErrorOf(writeNotice(found.reference, 'resolution', 'Again.'))).kind).toBe('conflict');

  // Closed, reopened and resolved again: the new resolution is notified too.
  await moveCase(db(), carol(), found.reference, 'closed');
  await reopenCase(db(), carol(), found.reference, { text: 'New evidence.' }, silentCaseEvents);
  await moveCase(db(), carol(), found.reference, 'resolved', { resolution: 'temporary-ban', months: '1' });
  const again = await caseView(found.reference);
  expect(again!.unsent).toEqual(['Resolution notice']);
  expect(again!.stages[1]).toMatchObject({ canWrite: true, sentAt: null, earlier: 1 });
  const second = 'On new evidence: a temporary ban of one month.';
  await writeNotice(found.reference, 'resolution', second);
  expect((await receiveNotice()).text.trim()).toBe(second);

  const trail = await db()
    .selectFrom('audit_log')
    .select(['action', 'actor_label', 'details'])
    .where('case_id', '=', found.id)
    .where('action', 'like', 'cncf.%')
    .orderBy('id')
    .execute();
  expect(trail.map((r) => [r.action, r.actor_label, (r.details as { stage: string }).stage])).toEqual([
    ['cncf.notice-written', 'member', 'incident'],
    ['cncf.notice-sent', 'system', 'incident'],
    ['cncf.notice-written', 'member', 'resolution'],
    ['cncf.notice-sent', 'system', 'resolution'],
    ['cncf.notice-written', 'member', 'resolution'],
    ['cncf.notice-sent', 'system', 'resolution'],
  ]);
  expect(JSON.stringify(trail)).not.toContain('Mallory');
});

test('a notice must be encrypted to the committee key alone; a liaison writes none; a security case has none', async () => {
  const found = await submitReport(db(), 'coc', 'Another incident.');
  await moveCase(db(), carol(), found.reference, 'acknowledged');
  const readers = (await caseRecipients(db(), found.id)).map((r) => r.armoredKey);
  const attempts = [
    await encryptArmored('To the committee and a reader.', [COMMITTEE.publicKey, readers[0]!]),
    await encryptArmored('To a reader only.', [readers[0]!]),
    'not an OpenPGP message',
  ];
  for (const message of attempts) {
    const refused = await domainErrorOf(
      submitNotice(db(), carol(), found.reference, { stage: 'incident', message }, silentCaseEvents),
    );
    expect(refused.kind).toBe('bad-input');
  }
  expect(await db().selectFrom('cncf_notices').select('id').where('case_id', '=', found.id).execute()).toEqual([]);

  await db()
    .transaction()
    .execute((trx) => appointLiaison(trx, found.id, s.members.erin!.id, BY_SYSTEM));
  expect((await domainErrorOf(noticeRecipient(db(), erin(), found.reference))).kind).toBe('forbidden');
  const good = await encryptNotice(await noticeRecipient(db(), carol(), found.reference), 'incident', 'Summary.');
  expect(
    (
      await domainErrorOf(
        submitNotice(db(), erin(), found.reference, { stage: 'incident', message: good }, silentCaseEvents),
      )
    ).kind,
  ).toBe('forbidden');
  expect((await caseView(found.reference, erin()))!.stages.every((x) => !x.canWrite)).toBe(true);
  expect(
    (
      await domainErrorOf(
        recordLegalConsultation(
          db(),
          erin(),
          found.reference,
          { consultedOn: '2026-11-30', counsel: 'cncf-legal' },
          silentCaseEvents,
        ),
      )
    ).kind,
  ).toBe('forbidden');

  const security = await submitReport(db(), 'security', 'A bug.');
  expect(await caseView(security.reference)).toBeNull();
});

test('with the charter setting cncf-central-record off there is no prompt, no flag, and no notice', async () => {
  await writeCharterValue(db(), {
    key: 'cncf-central-record',
    value: false,
    changedBy: 'operator',
    proposalId: null,
    at: new Date(),
  });
  try {
    const found = await submitReport(db(), 'coc', 'Outside the CNCF.');
    await moveCase(db(), carol(), found.reference, 'acknowledged');
    const off = await caseView(found.reference);
    expect(off).toMatchObject({ kept: false, stages: [], unsent: [] });
    expect((await domainErrorOf(noticeRecipient(db(), carol(), found.reference))).kind).toBe('bad-input');
  } finally {
    await db().deleteFrom('charter_settings').where('key', '=', 'cncf-central-record').execute();
  }
});

test('without a committee key the page says the operator must set it', async () => {
  const found = await submitReport(db(), 'coc', 'No key yet.');
  await moveCase(db(), carol(), found.reference, 'acknowledged');
  await db().updateTable('committee_keys').set({ retired_at: new Date() }).where('retired_at', 'is', null).execute();
  try {
    const page = await caseView(found.reference);
    expect(page!.committee).toBeNull();
    expect(page!.committeeMissing).toContain('intake committee set');
    expect(page!.stages[0]).toMatchObject({ due: true, canWrite: false });
    expect((await domainErrorOf(noticeRecipient(db(), carol(), found.reference))).kind).toBe('not-configured');
  } finally {
    await setCommitteeKey(db(), { email: COMMITTEE.email, armoredKey: COMMITTEE.publicKey });
  }
});

async function investigating(text: string) {
  const found = await submitReport(db(), 'coc', text);
  await moveCase(db(), carol(), found.reference, 'acknowledged');
  await moveCase(db(), carol(), found.reference, 'investigating');
  return found;
}

const statusOf = async (caseId: string) =>
  db().selectFrom('cases').select(['status', 'resolution']).where('id', '=', caseId).executeTakeFirstOrThrow();

test('the direct move to resolved is refused for a long ban or public naming, and allowed for a warning or a short ban', async () => {
  const found = await investigating('Serious.');
  for (const details of [
    { resolution: 'temporary-ban', months: '3' },
    { resolution: 'permanent-ban' },
    { resolution: 'warning', namedPublicly: 'yes' },
  ]) {
    const refused = await domainErrorOf(moveCase(db(), carol(), found.reference, 'resolved', details));
    expect(refused.kind).toBe('bad-input');
    expect(refused.message).toContain('legal consultation');
    expect(refused.message).toContain('propose');
  }
  expect(
    (await domainErrorOf(moveCase(db(), carol(), found.reference, 'resolved', { resolution: 'temporary-ban' })))
      .message,
  ).toContain('months');
  expect(await statusOf(found.id)).toEqual({ status: 'investigating', resolution: null });

  await moveCase(db(), carol(), found.reference, 'resolved', { resolution: 'temporary-ban', months: '2' });
  expect(await statusOf(found.id)).toEqual({ status: 'resolved', resolution: 'temporary-ban' });
  expect(
    await db()
      .selectFrom('coc_remedies')
      .select(['months', 'named_publicly'])
      .where('case_id', '=', found.id)
      .executeTakeFirst(),
  ).toEqual({ months: 2, named_publicly: false });

  const warned = await investigating('Minor.');
  await moveCase(db(), carol(), warned.reference, 'resolved', { resolution: 'warning' });
  expect(await statusOf(warned.id)).toEqual({ status: 'resolved', resolution: 'warning' });
});

test('resolve-coc is refused without a legal consultation and passes with one, resolving the case with its remedy', async () => {
  const found = await investigating('Needs counsel.');
  const now = new Date();
  const ctx = { now, periods: s.config.decisions, events: silentCaseEvents };
  const payload = { resolution: 'temporary-ban', months: 6, namedPublicly: true };
  const refused = await domainErrorOf(
    propose(db(), carol(), { reference: found.reference }, { kind: 'resolve-coc', payload }, ctx),
  );
  expect(refused.kind).toBe('bad-input');
  expect(refused.message).toContain('legal consultation');
  expect((await domainErrorOf(checkCocResolution(db(), found.id, payload))).kind).toBe('bad-input');

  // A consultation in the future, or with someone not on the list, is refused.
  for (const input of [
    { consultedOn: '2999-01-01', counsel: 'cncf-legal' },
    { consultedOn: '2026-11-30', counsel: 'a friend' },
    { consultedOn: '30/11/2026', counsel: 'cncf-legal' },
  ])
    expect(
      (await domainErrorOf(recordLegalConsultation(db(), carol(), found.reference, input, silentCaseEvents, now))).kind,
    ).toBe('bad-input');

  const readers = (await caseRecipients(db(), found.id)).map((r) => r.armoredKey);
  await recordLegalConsultation(
    db(),
    carol(),
    found.reference,
    {
      consultedOn: '2026-11-30',
      counsel: 'lf-counsel',
      note: await encryptArmored('Counsel agreed to the six months.', readers),
    },
    silentCaseEvents,
    now,
  );
  const consulted = await caseView(found.reference);
  expect(consulted!.consultations).toMatchObject([
    { consultedOn: '2026-11-30', counsel: 'lf-counsel', counselWords: 'The Linux Foundation’s counsel' },
  ]);
  expect(consulted!.consultations[0]!.noteMessageId).not.toBeNull();
  // The note is stored as ciphertext only, addressed to the readers.
  const note = await db()
    .selectFrom('messages')
    .select('body')
    .where('id', '=', consulted!.consultations[0]!.noteMessageId!)
    .executeTakeFirstOrThrow();
  expect(note.body.toString('latin1')).not.toContain('six months');

  const id = await propose(db(), carol(), { reference: found.reference }, { kind: 'resolve-coc', payload }, ctx);
  const settled = await settleProposals(
    db(),
    new Date(now.getTime() + (s.config.decisions.cocLazyConsensusHours + 1) * 3_600_000),
  );
  expect(settled).toEqual([{ id, caseId: found.id, status: 'passed' }]);
  expect(await statusOf(found.id)).toEqual({ status: 'resolved', resolution: 'temporary-ban' });
  expect(
    await db()
      .selectFrom('coc_remedies')
      .select(['months', 'named_publicly', 'proposal_id'])
      .where('case_id', '=', found.id)
      .executeTakeFirst(),
  ).toEqual({ months: 6, named_publicly: true, proposal_id: id });
  const moved = await db()
    .selectFrom('audit_log')
    .select(['actor_label', 'details'])
    .where('case_id', '=', found.id)
    .where('action', '=', 'case.status-changed')
    .orderBy('id', 'desc')
    .executeTakeFirstOrThrow();
  expect(moved).toEqual({
    actor_label: 'system',
    details: {
      from: 'investigating',
      to: 'resolved',
      resolution: 'temporary-ban',
      months: 6,
      namedPublicly: true,
      proposalId: id,
    },
  });
  const legal = await db()
    .selectFrom('audit_log')
    .select('details')
    .where('case_id', '=', found.id)
    .where('action', '=', 'cncf.legal-consulted')
    .executeTakeFirstOrThrow();
  expect(legal.details).toMatchObject({ consultedOn: '2026-11-30', counsel: 'lf-counsel' });
  expect((await caseView(found.reference))!.remedy).toMatchObject({
    words: 'temporary ban of 6 months, naming the person publicly',
  });
  // Checked again before applying: a case no longer under investigation cannot be resolved by it.
  expect((await domainErrorOf(checkCocResolution(db(), found.id, payload))).kind).toBe('bad-input');
});
