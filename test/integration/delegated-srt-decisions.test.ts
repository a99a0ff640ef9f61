// Who decides on a security case that a delegated SRT handles alone (no approver reads it): the
// team's members who read it — otherwise nobody could ever propose publishing its advisory or
// lifting a legal hold on it. Where an approver reads the case, only approvers count, as before.
import type { MemberWithKey } from '../../db/members.queries';
import { electorateOf } from '../../server/governance/decision-settle';
import { requireEligible } from '../../server/governance/decision-scope';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { signedIn, submitReport } from '../helpers/dashboard';
import { addFixtureMember, type GoodKeyName } from '../helpers/keys';

let t: TestDatabase;
const m: Partial<Record<GoodKeyName, MemberWithKey>> = {};

beforeAll(async () => {
  t = await createTestDatabase();
  m.alice = await addFixtureMember(t.db, 'alice', 'approver');
  m.bob = await addFixtureMember(t.db, 'bob', 'approver');
  m.dave = await addFixtureMember(t.db, 'dave', 'srt');
  m.erin = await addFixtureMember(t.db, 'erin', 'srt');
});
afterAll(async () => t?.destroy());

test('on a security case only the delegated SRT reads, its readers are the electorate', async () => {
  const c = await submitReport(t.db, 'security', 'A buffer overflow.');
  const electorate = await electorateOf(t.db, c.id);
  expect([...electorate.eligible].sort()).toEqual([m.dave!.id, m.erin!.id].sort());
  expect(electorate.approvers).toBe(2);
  await expect(requireEligible(t.db, signedIn(m.dave!), c.id)).resolves.toBeUndefined();
  // (An approver who does not read it never reaches this: the case is a 404 to them.)
  await expect(requireEligible(t.db, signedIn(m.alice!), c.id)).rejects.toThrow();
});

test('where an approver reads the case, SRT readers do not count', async () => {
  const c = await submitReport(t.db, 'security', 'Another overflow.');
  await t.db.insertInto('case_readers').values({ case_id: c.id, member_id: m.alice!.id, via: 'extended' }).execute();
  expect([...(await electorateOf(t.db, c.id)).eligible]).toEqual([m.alice!.id]);
});

test('a Code of Conduct case never falls back to the SRT', async () => {
  const c = await submitReport(t.db, 'coc', 'Harassment in a channel.');
  await t.db.deleteFrom('case_readers').where('case_id', '=', c.id).execute();
  await t.db.insertInto('case_readers').values({ case_id: c.id, member_id: m.dave!.id, via: 'extended' }).execute();
  expect((await electorateOf(t.db, c.id)).eligible.size).toBe(0);
});
