import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, MemberRole } from './database';

type Db = Kysely<Database> | Transaction<Database>;

/** A member with the public key messages are encrypted to now. Public keys are not secret. */
export interface MemberWithKey {
  id: string;
  name: string;
  email: string;
  role: MemberRole;
  /** On a delegated Security Response Team (srt_members). */
  onSrt: boolean;
  createdAt: Date;
  memberKeyId: string;
  fingerprint: string;
  encryptionKeyId: string;
  algorithm: string;
  armoredKey: string;
}

export interface NewMemberKey {
  fingerprint: string;
  encryptionKeyId: string;
  algorithm: string;
  armored: string;
}

/** Every member with its active key, approvers first, then by name. */
export async function listMembersWithKeys(db: Db): Promise<MemberWithKey[]> {
  return selectMembersWithKeys(db, null);
}

/** How many times the member list (members, their keys, the SRT record) has changed: read before the list. */
export async function memberListVersion(db: Db): Promise<string> {
  return (await db.selectFrom('member_list_version').select('version').executeTakeFirstOrThrow()).version;
}

/**
 * listMembersWithKeys, read fresh, with each key's armored text taken from the caller where it
 * holds it (by member_keys.id: a key row's text never changes) and read only for the keys it lacks.
 * A member whose key went between the two reads is left out, as a member removed a moment later.
 */
export async function listMembersWithKnownKeys(
  db: Db,
  knownArmor: (memberKeyId: string) => string | undefined,
): Promise<MemberWithKey[]> {
  const members = await selectMembersWithKeys(db, null, false);
  const missing = members.map((m) => m.memberKeyId).filter((id) => knownArmor(id) === undefined);
  const read =
    missing.length === 0
      ? new Map<string, string>()
      : new Map(
          (await db.selectFrom('member_keys').select(['id', 'armored']).where('id', 'in', missing).execute()).map(
            (r) => [r.id, r.armored],
          ),
        );
  return members.flatMap((member) => {
    const armoredKey = knownArmor(member.memberKeyId) ?? read.get(member.memberKeyId);
    return armoredKey === undefined ? [] : [{ ...member, armoredKey }];
  });
}

/** The member with this e-mail (case-insensitive, as the unique index), with its active key. */
export async function findMemberByEmail(db: Db, email: string): Promise<MemberWithKey | undefined> {
  return (await selectMembersWithKeys(db, email))[0];
}

async function selectMembersWithKeys(db: Db, email: string | null, withArmor = true): Promise<MemberWithKey[]> {
  const rows = await db
    .selectFrom('members')
    .innerJoin('member_keys', (join) =>
      join.onRef('member_keys.member_id', '=', 'members.id').on('member_keys.retired_at', 'is', null),
    )
    .select([
      'members.id',
      'members.name',
      'members.email',
      'members.role',
      'members.created_at',
      'member_keys.id as member_key_id',
      'member_keys.fingerprint',
      'member_keys.encryption_key_id',
      'member_keys.algorithm',
    ])
    .$if(withArmor, (qb) => qb.select('member_keys.armored'))
    .select((eb) =>
      eb
        .exists(eb.selectFrom('srt_members').select('member_id').whereRef('srt_members.member_id', '=', 'members.id'))
        .as('on_srt'),
    )
    .$if(email !== null, (qb) => qb.where(sql`lower(members.email)`, '=', email!.trim().toLowerCase()))
    .orderBy('members.role')
    .orderBy('members.name')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    email: r.email,
    role: r.role,
    onSrt: Boolean(r.on_srt),
    createdAt: r.created_at,
    memberKeyId: r.member_key_id,
    fingerprint: r.fingerprint,
    encryptionKeyId: r.encryption_key_id,
    algorithm: r.algorithm,
    armoredKey: r.armored ?? '',
  }));
}

export async function insertMember(
  db: Db,
  member: { name: string; email: string; role: MemberRole },
  key: NewMemberKey,
): Promise<string> {
  const { id } = await db.insertInto('members').values(member).returning('id').executeTakeFirstOrThrow();
  await insertMemberKey(db, id, key);
  return id;
}

/** Retires the member's current key and makes `key` the one new messages are encrypted to. */
export async function replaceMemberKey(db: Db, memberId: string, key: NewMemberKey): Promise<void> {
  await db
    .updateTable('member_keys')
    .set({ retired_at: new Date() })
    .where('member_id', '=', memberId)
    .where('retired_at', 'is', null)
    .execute();
  await insertMemberKey(db, memberId, key);
}

async function insertMemberKey(db: Db, memberId: string, key: NewMemberKey): Promise<void> {
  await db
    .insertInto('member_keys')
    .values({
      member_id: memberId,
      fingerprint: key.fingerprint,
      encryption_key_id: key.encryptionKeyId,
      algorithm: key.algorithm,
      armored: key.armored,
      retired_at: null,
    })
    .execute();
}

/** Removes the member and, by cascade, its keys, its session-key packets and its access to cases. */
export async function deleteMember(db: Db, memberId: string): Promise<void> {
  await db.deleteFrom('members').where('id', '=', memberId).execute();
}
