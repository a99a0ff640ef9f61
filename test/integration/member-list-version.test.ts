// Routing reads a member list up to two seconds old (server/intake/recipients.ts); a new case's
// statement checks that list's version (member_list_version, bumped by every change of members,
// their keys and the SRT record) and the report is routed again when it changed. So a member who
// joined a moment ago reads the next report, and one who left does not.
import { memberListVersion } from '../../db/members.queries';
import { insertOperatorSrtMember } from '../../db/srt.queries';
import { removeMember } from '../../server/governance/members';
import { submitPlaintextReport } from '../../server/intake/reports';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { addCast } from '../helpers/stored-case';
import { addFixtureMember, fixtureKey } from '../helpers/keys';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
  await addCast(t.db, { alice: 'srt', carol: 'approver' });
});
afterAll(async () => {
  await t.destroy();
});

async function readersOfNewReport(kind: 'security' | 'coc'): Promise<string[]> {
  const { reference } = await submitPlaintextReport(
    t.db,
    { kind, involvedIds: [], document: `a ${kind} report`, attachments: [] },
    { channel: 'email', reporterKeyLock: 'fast' },
  );
  const rows = await t.db
    .selectFrom('case_readers')
    .innerJoin('cases', 'cases.id', 'case_readers.case_id')
    .innerJoin('members', 'members.id', 'case_readers.member_id')
    .select('members.email')
    .where('cases.reference', '=', reference)
    .execute();
  return rows.map((r) => r.email.split('@')[0]!).sort();
}

test('every change of the member list moves its version: members, keys, the SRT record', async () => {
  const v0 = BigInt(await memberListVersion(t.db));
  const erin = await addFixtureMember(t.db, 'erin', 'approver');
  const v1 = BigInt(await memberListVersion(t.db));
  expect(v1).toBeGreaterThan(v0);
  await insertOperatorSrtMember(t.db, erin.id);
  const v2 = BigInt(await memberListVersion(t.db));
  expect(v2).toBeGreaterThan(v1);
  await removeMember(t.db, fixtureKey('erin').email);
  expect(BigInt(await memberListVersion(t.db))).toBeGreaterThan(v2);
  // Reading changes nothing.
  const now = await memberListVersion(t.db);
  await readersOfNewReport('security');
  expect(await memberListVersion(t.db)).toBe(now);
});

test('a member who joined a moment after the list was read is a reader of the next report; one who left is not', async () => {
  // With one SRT member, security reports go to the SRT and the approvers.
  expect(await readersOfNewReport('security')).toEqual(['alice', 'carol']); // the list is now read, and kept for 2 s
  await addFixtureMember(t.db, 'gina', 'srt');
  // Two SRT members: the SRT alone reads security reports.
  expect(await readersOfNewReport('security')).toEqual(['alice', 'gina']);
  await removeMember(t.db, fixtureKey('gina').email);
  expect(await readersOfNewReport('security')).toEqual(['alice', 'carol']);
  // A new approver reads the next CoC report too.
  await addFixtureMember(t.db, 'dave', 'approver');
  expect(await readersOfNewReport('coc')).toEqual(['carol', 'dave']);
});
