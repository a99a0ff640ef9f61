// What the account page shows a signed-in member, and the secret that keys the sign-in lock-out's client hashes.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import { getOrCreateSecret } from '../../db/app-secrets.queries';
import { countRecoveryCodes } from '../../db/credentials.queries';
import type { SignedInMember } from './signed-in-member';
import { activeSessions, type ActiveSession } from './sessions';
import type { AuthSettings } from './settings';

export async function accountOverview(
  db: Kysely<Database>,
  member: SignedInMember,
  settings: AuthSettings,
): Promise<{ sessions: ActiveSession[]; recoveryCodesLeft: number }> {
  return {
    sessions: await activeSessions(db, member, settings),
    recoveryCodesLeft: await countRecoveryCodes(db, member.id),
  };
}

/** Shared by every instance, so that a client's count on an account is the same whichever one it reaches. */
export function signInClientSecret(db: Kysely<Database>): Promise<string> {
  return getOrCreateSecret(db, 'sign-in-client');
}
