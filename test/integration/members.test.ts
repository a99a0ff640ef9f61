import {
  addMember,
  governanceWarnings,
  listMembers,
  removeMember,
  setMemberKey,
} from '../../server/governance/members';
import { DomainError, type DomainErrorKind } from '../../server/errors';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { addFixtureMember, fixtureKey } from '../helpers/keys';

let t: TestDatabase;

beforeEach(async () => {
  t = await createTestDatabase();
});

afterEach(async () => {
  await t.destroy();
});

async function domainErrorKind(promise: Promise<unknown>): Promise<DomainErrorKind> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(DomainError);
  return (error as DomainError).kind;
}

const memberRows = async () => t.db.selectFrom('members').select(['email']).execute();

describe('members workflow', () => {
  test('add stores the member with its validated key, and list shows it', async () => {
    const alice = fixtureKey('alice');
    const added = await addMember(t.db, {
      name: ' Alice ',
      email: alice.email,
      role: 'srt',
      armoredKey: alice.publicKey,
    });
    expect(added).toMatchObject({ name: 'Alice', email: alice.email, role: 'srt', fingerprint: alice.fingerprint });
    expect(added.armoredKey).toContain('BEGIN PGP PUBLIC KEY BLOCK');

    await addFixtureMember(t.db, 'carol', 'approver');
    const listed = await listMembers(t.db);
    // Approvers first, then by name.
    expect(listed.map((m) => [m.email, m.role, m.fingerprint])).toEqual([
      [fixtureKey('carol').email, 'approver', fixtureKey('carol').fingerprint],
      [alice.email, 'srt', alice.fingerprint],
    ]);
  });

  test('remove deletes the member and its keys', async () => {
    const carol = await addFixtureMember(t.db, 'carol', 'approver');
    await addFixtureMember(t.db, 'dave', 'approver');
    const removed = await removeMember(t.db, 'CAROL@example.org');
    expect(removed.id).toBe(carol.id);
    expect((await listMembers(t.db)).map((m) => m.email)).toEqual([fixtureKey('dave').email]);
    const keys = await t.db.selectFrom('member_keys').select('member_id').where('member_id', '=', carol.id).execute();
    expect(keys).toEqual([]);
  });

  test('remove of an unknown e-mail → not-found', async () => {
    expect(await domainErrorKind(removeMember(t.db, 'nobody@example.org'))).toBe('not-found');
  });

  test('set-key retires the old key and makes the new one current', async () => {
    const before = await addMember(t.db, {
      name: 'Carol',
      email: 'carol@example.org',
      role: 'approver',
      armoredKey: fixtureKey('erin').publicKey,
      allowUidMismatch: true,
    });
    expect(before.fingerprint).toBe(fixtureKey('erin').fingerprint);
    const after = await setMemberKey(t.db, 'carol@example.org', fixtureKey('carol').publicKey, { by: 'operator' });
    expect(after.fingerprint).toBe(fixtureKey('carol').fingerprint);
    expect(after.id).toBe(before.id);
    const keys = await t.db
      .selectFrom('member_keys')
      .select(['fingerprint', 'retired_at'])
      .where('member_id', '=', before.id)
      .orderBy('created_at')
      .execute();
    expect(keys.map((k) => [k.fingerprint, k.retired_at === null])).toEqual([
      [fixtureKey('erin').fingerprint, false],
      [fixtureKey('carol').fingerprint, true],
    ]);
  });

  test('set-key refuses a key whose user ID does not match, unless allowed', async () => {
    await addFixtureMember(t.db, 'carol', 'approver');
    expect(
      await domainErrorKind(setMemberKey(t.db, 'carol@example.org', fixtureKey('erin').publicKey, { by: 'operator' })),
    ).toBe('bad-input');
    const changed = await setMemberKey(t.db, 'carol@example.org', fixtureKey('erin').publicKey, {
      by: 'operator',
      allowUidMismatch: true,
    });
    expect(changed.fingerprint).toBe(fixtureKey('erin').fingerprint);
  });
});

describe('members workflow refusals', () => {
  test('a duplicate e-mail, in any case → conflict, and nothing is added', async () => {
    await addFixtureMember(t.db, 'carol', 'approver');
    const kind = await domainErrorKind(
      addMember(t.db, {
        name: 'Carol again',
        email: 'Carol@Example.org',
        role: 'srt',
        armoredKey: fixtureKey('carol').publicKey,
      }),
    );
    expect(kind).toBe('conflict');
    expect(await memberRows()).toHaveLength(1);
  });

  test('a key already used by another member → conflict, on add and on set-key', async () => {
    await addFixtureMember(t.db, 'carol', 'approver');
    await addFixtureMember(t.db, 'dave', 'approver');
    const reused = fixtureKey('carol').publicKey;
    const add = addMember(t.db, {
      name: 'Mallory',
      email: 'mallory@example.org',
      role: 'approver',
      armoredKey: reused,
      allowUidMismatch: true,
    });
    expect(await domainErrorKind(add)).toBe('conflict');
    expect(
      await domainErrorKind(setMemberKey(t.db, 'dave@example.org', reused, { by: 'operator', allowUidMismatch: true })),
    ).toBe('conflict');
    expect(await memberRows()).toHaveLength(2);
    expect((await listMembers(t.db)).find((m) => m.email === 'dave@example.org')!.fingerprint).toBe(
      fixtureKey('dave').fingerprint,
    );
  });

  test.each(['weak-rsa1024', 'sign-only', 'expired', 'revoked', 'dsa-elgamal'] as const)(
    'a %s key → bad-input, and nothing is added',
    async (name) => {
      const key = fixtureKey(name);
      const kind = await domainErrorKind(
        addMember(t.db, { name: 'Bad', email: key.email, role: 'approver', armoredKey: key.publicKey }),
      );
      expect(kind).toBe('bad-input');
      expect(await memberRows()).toHaveLength(0);
    },
  );

  test('bad fields are all reported at once', async () => {
    const error = await addMember(t.db, {
      name: ' ',
      email: 'not-an-address',
      role: 'boss',
      armoredKey: fixtureKey('carol').publicKey,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).message).toMatch(/name is required.*not an e-mail address.*role must be one of/);
  });
});

describe('governance warnings', () => {
  test('warn about a one-person SRT, and stop once a second member joins', async () => {
    await addFixtureMember(t.db, 'carol', 'approver');
    expect(await governanceWarnings(t.db)).toEqual([]);
    await addFixtureMember(t.db, 'alice', 'srt');
    expect(await governanceWarnings(t.db)).toEqual([expect.stringMatching(/at least 2/)]);
    await addFixtureMember(t.db, 'bob', 'srt');
    expect(await governanceWarnings(t.db)).toEqual([]);
  });
});
