import type { Kysely, Transaction } from 'kysely';
import type { Database, MemberRole } from './database';

type Db = Kysely<Database> | Transaction<Database>;

/** A session row with the member it signs in. Sessions are found by the SHA-256 of their cookie token only. */
export interface SessionWithMember {
  memberId: string;
  name: string;
  email: string;
  role: MemberRole;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
}

export interface SessionSummary {
  idHash: Buffer;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
}

export async function insertSession(
  db: Db,
  session: { idHash: Buffer; memberId: string; now: Date; expiresAt: Date },
): Promise<void> {
  await db
    .insertInto('member_sessions')
    .values({
      id_hash: session.idHash,
      member_id: session.memberId,
      created_at: session.now,
      last_seen_at: session.now,
      expires_at: session.expiresAt,
    })
    .execute();
}

export async function findSessionWithMember(db: Db, idHash: Buffer): Promise<SessionWithMember | undefined> {
  const row = await db
    .selectFrom('member_sessions')
    .innerJoin('members', 'members.id', 'member_sessions.member_id')
    .select([
      'members.id',
      'members.name',
      'members.email',
      'members.role',
      'member_sessions.created_at',
      'member_sessions.last_seen_at',
      'member_sessions.expires_at',
    ])
    .where('member_sessions.id_hash', '=', idHash)
    .executeTakeFirst();
  return (
    row && {
      memberId: row.id,
      name: row.name,
      email: row.email,
      role: row.role,
      createdAt: row.created_at,
      lastSeenAt: row.last_seen_at,
      expiresAt: row.expires_at,
    }
  );
}

/** Marks the session as used at `now`. */
export async function touchSession(db: Db, idHash: Buffer, now: Date): Promise<void> {
  await db.updateTable('member_sessions').set({ last_seen_at: now }).where('id_hash', '=', idHash).execute();
}

export async function deleteSession(db: Db, idHash: Buffer): Promise<void> {
  await db.deleteFrom('member_sessions').where('id_hash', '=', idHash).execute();
}

/** Ends every session of the member; returns how many there were. */
export async function deleteMemberSessions(db: Db, memberId: string): Promise<number> {
  const result = await db.deleteFrom('member_sessions').where('member_id', '=', memberId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Housekeeping: deletes every session (of any member) that ended by age or by inactivity. */
export async function deleteEndedSessions(db: Db, now: Date, idleCutoff: Date): Promise<void> {
  await db
    .deleteFrom('member_sessions')
    .where((eb) => eb.or([eb('expires_at', '<=', now), eb('last_seen_at', '<=', idleCutoff)]))
    .execute();
}

/** The member's sessions still within their absolute lifetime and idle timeout, most recently used first. */
export async function listMemberSessions(
  db: Db,
  memberId: string,
  now: Date,
  idleCutoff: Date,
): Promise<SessionSummary[]> {
  const rows = await db
    .selectFrom('member_sessions')
    .select(['id_hash', 'created_at', 'last_seen_at', 'expires_at'])
    .where('member_id', '=', memberId)
    .where('expires_at', '>', now)
    .where('last_seen_at', '>', idleCutoff)
    .orderBy('last_seen_at', 'desc')
    .execute();
  return rows.map((r) => ({
    idHash: r.id_hash,
    createdAt: r.created_at,
    lastSeenAt: r.last_seen_at,
    expiresAt: r.expires_at,
  }));
}
