// Who joins the SRT reads its open security cases (issue 10 §1); the closed ones only by decision.
import { addMember, removeMember } from '../../server/governance/members';
import { checkSrtExtension, grantClosedSecurityCases } from '../../server/governance/access';
import { pendingGrants } from '../../db/grants.queries';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { domainErrorOf, submitReport } from '../helpers/dashboard';
import { addFixtureMember, fixtureKey } from '../helpers/keys';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t?.destroy());

const readers = async (caseId: string) =>
  (
    await t.db
      .selectFrom('case_readers as cr')
      .innerJoin('members as m', 'm.id', 'cr.member_id')
      .select(['m.email', 'cr.via'])
      .where('cr.case_id', '=', caseId)
      .orderBy('m.email')
      .execute()
  ).map((r) => `${r.email}:${r.via}`);

test('members who become part of the SRT read the open security cases, not the closed ones, nor CoC cases', async () => {
  const alice = await addFixtureMember(t.db, 'alice', 'approver');
  const open = await submitReport(t.db, 'security', 'An open bug.');
  const closed = await submitReport(t.db, 'security', 'A closed bug.');
  const coc = await submitReport(t.db, 'coc', 'Conduct.');
  await t.db.updateTable('cases').set({ status: 'spam' }).where('id', '=', closed.id).execute();

  // An approver added while the SRT is the approvers themselves joins the SRT.
  await addFixtureMember(t.db, 'bob', 'approver');
  expect(await readers(open.id)).toEqual(['alice@example.org:routed', 'bob@example.org:srt-joined']);
  expect(await readers(closed.id)).toEqual(['alice@example.org:routed']);
  expect(await readers(coc.id)).toEqual(['alice@example.org:routed']);
  // bob's grant is pending on the open case.
  const pending = await pendingGrants(t.db, open.id);
  expect(pending.map((p) => p.grantee)).toEqual([{ kind: 'member', memberId: expect.any(String) }]);

  // A delegated SRT member (one: the approvers stay in the SRT) joins; so does the second.
  await addFixtureMember(t.db, 'erin', 'srt');
  await addFixtureMember(t.db, 'frank', 'srt');
  expect(await readers(open.id)).toEqual([
    'alice@example.org:routed',
    'bob@example.org:srt-joined',
    'erin@example.org:srt-joined',
    'frank@example.org:srt-joined',
  ]);
  const audit = await t.db
    .selectFrom('audit_log')
    .select(['actor_label', 'details'])
    .where('action', '=', 'access.reader-added')
    .where('case_id', '=', open.id)
    .execute();
  expect(audit).toHaveLength(3);
  expect(audit.every((a) => a.actor_label === 'operator')).toBe(true);

  // The closed case only by a decision, and only for a member of the SRT.
  expect((await domainErrorOf(checkSrtExtension(t.db, alice.id))).kind).toBe('bad-input');
  const erin = (
    await t.db.selectFrom('members').select('id').where('email', '=', 'erin@example.org').executeTakeFirstOrThrow()
  ).id;
  await checkSrtExtension(t.db, erin);
  const added = await t.db
    .transaction()
    .execute((trx) =>
      grantClosedSecurityCases(trx, erin, { actorMemberId: null, actorLabel: 'system', proposalId: null }),
    );
  expect(added).toBe(1);
  expect(await readers(closed.id)).toContain('erin@example.org:extended');
  expect((await domainErrorOf(checkSrtExtension(t.db, erin))).kind).toBe('conflict');
});

test('when a delegated SRT falls below two, the approvers join it again (and read new open cases)', async () => {
  const open = await submitReport(t.db, 'security', 'Routed to erin and frank only.');
  expect(await readers(open.id)).toEqual(['erin@example.org:routed', 'frank@example.org:routed']);
  await removeMember(t.db, 'frank@example.org');
  expect(await readers(open.id)).toEqual([
    'alice@example.org:srt-joined',
    'bob@example.org:srt-joined',
    'erin@example.org:routed',
  ]);
  // A liaison added never joins the SRT.
  await addMember(t.db, {
    name: 'Gina',
    email: 'gina@example.org',
    role: 'liaison',
    armoredKey: fixtureKey('gina').publicKey,
  });
  expect(await readers(open.id)).not.toContain('gina@example.org:srt-joined');
});
