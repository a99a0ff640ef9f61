// Issue 12 §1 on a real PostgreSQL: the advisory draft is stored like a comment — ciphertext
// addressed to exactly the case's readers, decryptable with stock gpg, no plaintext in any row —
// and only by a reader of a security case who is not a liaison; an export is an audit row of its
// format; publishing is a decision from "fixing" once a draft is saved, and moves the case to
// "published" through the case's move code (clocks and audit as a reader's move would leave them).
import { sql } from 'kysely';
import type { MemberWithKey } from '../../db/members.queries';
import { listCaseAudit, verifyAuditChain } from '../../server/audit/audit-log';
import { messageRecipients } from '../../server/cases/case-messages';
import { moveCase, openCase } from '../../server/cases/case-work';
import { advisoryForBrowser, recordAdvisoryExport, saveAdvisoryDraft } from '../../server/disclosure/advisory-drafts';
import { advisoryView } from '../../server/disclosure/advisory-view';
import { parseAdvisoryFields, prefilledFields } from '../../server/disclosure/advisory-form';
import { setSeverity } from '../../server/cases/case-work';
import { propose } from '../../server/governance/decisions';
import { settleProposals } from '../../server/governance/decision-settle';
import { loadConfig } from '../../server/config';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import {
  auditRowCount,
  domainErrorOf,
  encryptArmored,
  recordingEvents,
  signedIn,
  submitReport,
} from '../helpers/dashboard';
import { fixtureKey } from '../helpers/keys';
import { canary, decryptCaseWithGpg } from '../helpers/report-scenario';
import { addCast } from '../helpers/stored-case';

const SECRET = canary('advisory');
const HOUR = 3_600_000;
const config = loadConfig({ PROJECT_NAME: 'Kmesh Mesh', PUBLIC_URL: 'https://intake.example.org' });
const periods = config.decisions;

let t: TestDatabase;
let cast: Awaited<ReturnType<typeof addCast>>;
let sec: { reference: string; id: string };
let coc: { reference: string; id: string };
const events = recordingEvents();
const alice = () => signedIn(cast.alice as MemberWithKey);
const bob = () => signedIn(cast.bob as MemberWithKey);
const erin = () => signedIn(cast.erin as MemberWithKey);

function draftJson(summary = `Parser overflow ${SECRET}`): string {
  const { draft, problems } = parseAdvisoryFields({
    ...prefilledFields({ severityVector: null, cwe: null, affectedVersions: null, embargoUntil: null }),
    summary,
    details: `Details ${SECRET}`,
    affected: 'Go | github.com/kmesh-net/kmesh | 0 | 1.0.3',
    cvss31: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
  });
  expect(problems.size).toBe(0);
  return JSON.stringify(draft);
}

async function readersMessage(text: string, reference = sec.reference): Promise<string> {
  const { readers } = await messageRecipients(t.db, alice(), reference, 'comment');
  return encryptArmored(
    text,
    readers.map((r) => r.publicKey),
  );
}

beforeAll(async () => {
  t = await createTestDatabase();
  // The approvers are the SRT (no delegated team): they read security cases and decide on them.
  cast = await addCast(t.db, { alice: 'approver', bob: 'approver', carol: 'approver', erin: 'liaison' });
  sec = await submitReport(t.db, 'security', 'Heap overflow in the parser.');
  coc = await submitReport(t.db, 'coc', 'Harassment in a review thread.');
});
afterAll(async () => {
  await t.destroy();
});

test('OSV_ID_PREFIX defaults to x_ and the project; the CSAF publisher to the project and its origin; bad ones are refused', () => {
  expect(config.advisory).toEqual({
    osvIdPrefix: 'x_kmesh-mesh-',
    publisher: { name: 'Kmesh Mesh', namespace: 'https://intake.example.org' },
  });
  expect(() => loadConfig({ OSV_ID_PREFIX: 'has space', CSAF_PUBLISHER_NAMESPACE: 'ftp://x' })).toThrow(
    /OSV_ID_PREFIX[\s\S]*CSAF_PUBLISHER_NAMESPACE/,
  );
});

test('before any draft the browser gets the case’s typed fields to start from, and no draft', async () => {
  await setSeverity(t.db, alice(), sec.reference, {
    vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
    cwe: 'CWE-787',
    affectedVersions: '< 1.0.3',
  });
  const answer = await advisoryForBrowser(t.db, alice(), sec.reference, config.advisory);
  expect(answer.draft).toBeNull();
  expect(answer.prefill).toEqual({
    severityVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
    cwe: 'CWE-787',
    affectedVersions: '< 1.0.3',
    embargoUntil: null,
  });
  expect(answer.meta).toEqual({
    reference: sec.reference,
    osvIdPrefix: 'x_kmesh-mesh-',
    publisher: config.advisory.publisher,
    publishedAt: null,
  });
});

test('a draft is stored encrypted to exactly the readers, with its audit row; the newest is the current one', async () => {
  const first = await saveAdvisoryDraft(t.db, alice(), sec.reference, await readersMessage(draftJson('first')), events);
  const second = await saveAdvisoryDraft(t.db, bob(), sec.reference, await readersMessage(draftJson()), events);
  const answer = await advisoryForBrowser(t.db, alice(), sec.reference, config.advisory);
  expect(answer.draft).toMatchObject({ id: second.id, author: cast.bob!.name });
  expect(answer.draft!.packet).not.toBeNull();
  const audit = (await listCaseAudit(t.db, sec.id)).filter((a) => a.action === 'advisory.draft-saved');
  expect(audit.map((a) => a.details)).toEqual([{ messageId: first.id }, { messageId: second.id }]);
  expect(events.calls).toContain(`messageAdded:${sec.id}:${cast.bob!.id}`);

  // Stock gpg decrypts it with a reader's key: the JSON of the draft.
  const drafts = (await decryptCaseWithGpg(t.db, sec.reference, 'carol')).filter((m) => m.role === 'advisory-draft');
  expect(JSON.parse(drafts.at(-1)!.data.toString('utf8')).summary).toBe(`Parser overflow ${SECRET}`);

  // Never addressed to the reporter: no key packet but the readers' members keys.
  const reporterPackets = await t.db
    .selectFrom('session_keys')
    .select('message_id')
    .where('message_id', 'in', [first.id, second.id])
    .where('member_key_id', 'is', null)
    .execute();
  expect(reporterPackets).toEqual([]);

  // No row of any table holds the plaintext.
  const rows = await t.db.selectFrom('messages').select('body').where('case_id', '=', sec.id).execute();
  for (const row of rows) expect(row.body.toString('latin1')).not.toContain(SECRET);
  const auditText = JSON.stringify(await listCaseAudit(t.db, sec.id));
  expect(auditText).not.toContain(SECRET);
});

test('a saved draft is news to the other readers like a comment, not new report material', async () => {
  const flag = await sql<{ f: number }>`SELECT message_news_flag('advisory-draft') AS f`.execute(t.db);
  expect(flag.rows[0]!.f).toBe(
    await sql<{ f: number }>`SELECT message_news_flag('comment') AS f`.execute(t.db).then((r) => r.rows[0]!.f),
  );
});

test('refused: a draft not addressed to every reader, a liaison, a CoC case; nothing is stored', async () => {
  const before = await auditRowCount(t.db, sec.id);
  const toAliceOnly = await encryptArmored(draftJson(), [fixtureKey('alice').publicKey]);
  expect((await domainErrorOf(saveAdvisoryDraft(t.db, alice(), sec.reference, toAliceOnly, events))).kind).toBe(
    'bad-input',
  );
  expect((await domainErrorOf(saveAdvisoryDraft(t.db, alice(), sec.reference, 'not pgp', events))).kind).toBe(
    'bad-input',
  );
  // A liaison reads only its CoC cases: a security case is not found for it.
  expect((await domainErrorOf(saveAdvisoryDraft(t.db, erin(), sec.reference, toAliceOnly, events))).kind).toBe(
    'not-found',
  );
  const cocMessage = await encryptArmored(draftJson(), [fixtureKey('alice').publicKey]);
  expect((await domainErrorOf(saveAdvisoryDraft(t.db, alice(), coc.reference, cocMessage, events))).message).toMatch(
    /Only a security case/,
  );
  expect(await auditRowCount(t.db, sec.id)).toBe(before);
  expect(
    await advisoryView(t.db, alice(), (await openCase(t.db, alice(), coc.reference)).detail, new Date()),
  ).toBeNull();
});

test('an export is recorded with its format only; an unknown format is refused', async () => {
  const current = (await advisoryForBrowser(t.db, alice(), sec.reference, config.advisory)).draft!.id;
  await recordAdvisoryExport(t.db, alice(), sec.reference, 'osv', current);
  await recordAdvisoryExport(t.db, bob(), sec.reference, 'csaf', current);
  expect((await domainErrorOf(recordAdvisoryExport(t.db, alice(), sec.reference, 'pdf', current))).kind).toBe(
    'bad-input',
  );
  // An export of a draft that is no longer the current one (another reader saved since) is refused.
  const older = (
    await t.db
      .selectFrom('messages')
      .select('id')
      .where('role', '=', 'advisory-draft')
      .orderBy('created_at')
      .executeTakeFirstOrThrow()
  ).id;
  expect((await domainErrorOf(recordAdvisoryExport(t.db, alice(), sec.reference, 'osv', older))).message).toMatch(
    /newer draft/,
  );
  const exported = (await listCaseAudit(t.db, sec.id)).filter((a) => a.action === 'advisory.exported');
  expect(exported.map((a) => a.details.format)).toEqual(['osv', 'csaf']);
});

test('publishing: refused before "fixing"; no reader can move fixing → published; it passes by lazy consensus and publishes', async () => {
  const now = new Date();
  const ctx = { now, periods, events };
  for (const status of ['assessing', 'confirmed'] as const) {
    await t.db.updateTable('cases').set({ status }).where('id', '=', sec.id).execute();
    const refused = await domainErrorOf(
      propose(t.db, alice(), { reference: sec.reference }, { kind: 'publish-advisory' }, ctx),
    );
    expect(refused.message).toMatch(/published from "Fixing"/);
  }
  await moveCase(t.db, alice(), sec.reference, 'fixing');
  expect((await domainErrorOf(moveCase(t.db, alice(), sec.reference, 'published'))).kind).toBe('bad-input');
  const detail = (await openCase(t.db, alice(), sec.reference)).detail;
  expect(await advisoryView(t.db, alice(), detail, now)).toMatchObject({
    drafts: 2,
    publishable: true,
    proposed: false,
  });

  const id = await propose(t.db, alice(), { reference: sec.reference }, { kind: 'publish-advisory' }, ctx);
  expect(await settleProposals(t.db, new Date(now.getTime() + periods.lazyConsensusHours * HOUR - 60_000))).toEqual([]);
  const settled = await settleProposals(t.db, new Date(now.getTime() + periods.lazyConsensusHours * HOUR + 60_000));
  expect(settled.map((p) => [p.id, p.status])).toEqual([[id, 'passed']]);

  const row = await t.db
    .selectFrom('cases')
    .select(['status', 'triaged_at'])
    .where('id', '=', sec.id)
    .executeTakeFirstOrThrow();
  expect(row.status).toBe('published');
  expect(row.triaged_at).toBeInstanceOf(Date);
  const audit = await listCaseAudit(t.db, sec.id);
  const moved = audit.find((a) => a.action === 'case.status-changed' && a.details.to === 'published')!;
  expect(moved).toMatchObject({ actorLabel: 'system', details: { from: 'fixing', to: 'published', proposalId: id } });
  expect(audit.find((a) => a.action === 'advisory.published')?.details).toEqual({
    from: 'fixing',
    to: 'published',
    proposalId: id,
  });
  const answer = await advisoryForBrowser(t.db, alice(), sec.reference, config.advisory);
  expect(answer.meta.publishedAt).toEqual(expect.stringMatching(/^\d{4}-/));
  const view = await advisoryView(t.db, alice(), (await openCase(t.db, alice(), sec.reference)).detail, now);
  expect(view).toMatchObject({ publishable: false, publishedAt: expect.any(Date) });
  expect((await verifyAuditChain(t.db)).ok).toBe(true);
});

test('a case without a draft cannot be proposed for publishing', async () => {
  const other = await submitReport(t.db, 'security', 'Another one.');
  await t.db.updateTable('cases').set({ status: 'fixing' }).where('id', '=', other.id).execute();
  const refused = await domainErrorOf(
    propose(
      t.db,
      alice(),
      { reference: other.reference },
      { kind: 'publish-advisory' },
      { now: new Date(), periods, events },
    ),
  );
  expect(refused.message).toMatch(/Save an advisory draft first/);
});
