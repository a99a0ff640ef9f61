// Member sessions, kept in PostgreSQL so that every app instance shares them. The cookie carries a
// 256-bit token; the database only its SHA-256, so a dump of the table signs nobody in.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import {
  deleteEndedSessions,
  deleteMemberSessions,
  deleteSession,
  findSessionWithMember,
  insertSession,
  listMemberSessions,
  touchSession,
} from '../../db/member-sessions.queries';
import type { SignedInMember } from './signed-in-member';
import { isTokenShaped, newToken, sessionHandle, sha256 } from './secrets';
import type { AuthSettings } from './settings';

/**
 * Starts a new session for the member and returns its token, for the cookie only. `replacing` is the
 * token the browser held before: that session ends, so a token planted before sign-in is worthless.
 */
export async function startSession(
  db: Kysely<Database>,
  memberId: string,
  settings: AuthSettings,
  replacing?: string,
): Promise<string> {
  const now = settings.now();
  const token = newToken();
  await db.transaction().execute(async (trx) => {
    if (isTokenShaped(replacing)) await deleteSession(trx, sha256(replacing));
    await deleteEndedSessions(trx, now, idleCutoff(now, settings));
    await insertSession(trx, {
      idHash: sha256(token),
      memberId,
      now,
      expiresAt: new Date(now.getTime() + settings.session.maxAgeMs),
    });
  });
  return token;
}

/**
 * The member a session token signs in, or null when the token is unknown or its session has ended
 * (too long idle, or past its absolute lifetime; such a session is deleted). Marks the session as
 * used, at most once a minute.
 */
export async function resumeSession(
  db: Kysely<Database>,
  token: string,
  settings: AuthSettings,
): Promise<SignedInMember | null> {
  if (!isTokenShaped(token)) return null;
  const idHash = sha256(token);
  const session = await findSessionWithMember(db, idHash);
  if (!session) return null;
  const now = settings.now();
  if (session.expiresAt <= now || session.lastSeenAt <= idleCutoff(now, settings)) {
    await deleteSession(db, idHash);
    return null;
  }
  if (now.getTime() - session.lastSeenAt.getTime() >= settings.session.touchEveryMs)
    await touchSession(db, idHash, now);
  return {
    id: session.memberId,
    name: session.name,
    email: session.email,
    role: session.role,
    sessionId: sessionHandle(idHash),
  };
}

/** Ends the session of this token, if any. */
export async function endSession(db: Kysely<Database>, token: string | undefined): Promise<void> {
  if (isTokenShaped(token)) await deleteSession(db, sha256(token));
}

/** Ends every session of the member, on every device; returns how many there were. */
export async function endAllSessions(db: Kysely<Database>, memberId: string): Promise<number> {
  return deleteMemberSessions(db, memberId);
}

export interface ActiveSession {
  current: boolean;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
}

/** The member's live sessions, for the account page; `current` marks the one asking. */
export async function activeSessions(
  db: Kysely<Database>,
  member: SignedInMember,
  settings: AuthSettings,
): Promise<ActiveSession[]> {
  const now = settings.now();
  const sessions = await listMemberSessions(db, member.id, now, idleCutoff(now, settings));
  return sessions.map((s) => ({
    current: sessionHandle(s.idHash) === member.sessionId,
    createdAt: s.createdAt,
    lastSeenAt: s.lastSeenAt,
    expiresAt: s.expiresAt,
  }));
}

function idleCutoff(now: Date, settings: AuthSettings): Date {
  return new Date(now.getTime() - settings.session.idleMs);
}
