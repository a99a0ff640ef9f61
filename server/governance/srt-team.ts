// Appointing the Security Response Team by decision (issue 11 §2): "the approvers themselves", or
// a delegated team of at least two contributors. OWNER: helper "srt".
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/database';
import type { GovernanceActor } from './governance-actor';

type Db = Kysely<Database> | Transaction<Database>;

export async function checkSrtAppointment(_db: Db, _payload: unknown): Promise<void> {
  throw new Error('not built yet (helper "srt")');
}

export async function appointSrt(
  _trx: Transaction<Database>,
  _payload: unknown,
  _actor: GovernanceActor,
): Promise<void> {
  throw new Error('not built yet (helper "srt")');
}

export function srtAppointmentTitle(_payload: unknown): string {
  return 'Appoint the Security Response Team';
}
