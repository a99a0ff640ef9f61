import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from './database';

type Db = Kysely<Database> | Transaction<Database>;

/** The CNCF CoC Committee's key on file. Public keys are not secret. */
export interface CommitteeKey {
  id: string;
  email: string;
  fingerprint: string;
  encryptionKeyId: string;
  algorithm: string;
  armoredKey: string;
  createdAt: Date;
}

/** The committee's current key (one at most), or undefined when the operator has set none. */
export async function currentCommitteeKey(db: Db): Promise<CommitteeKey | undefined> {
  const r = await db
    .selectFrom('committee_keys')
    .select(['id', 'email', 'fingerprint', 'encryption_key_id', 'algorithm', 'armored', 'created_at'])
    .where('retired_at', 'is', null)
    .executeTakeFirst();
  return (
    r && {
      id: r.id,
      email: r.email,
      fingerprint: r.fingerprint,
      encryptionKeyId: r.encryption_key_id,
      algorithm: r.algorithm,
      armoredKey: r.armored,
      createdAt: r.created_at,
    }
  );
}

/**
 * Retires the current key (if any) and makes this one current. Referrals still waiting move to the
 * new key: what they carry is re-wrapped to it, since the old one is no longer the committee's.
 * Locks the table so that two operators setting a key at once end with one current.
 */
export async function replaceCommitteeKey(
  trx: Transaction<Database>,
  key: { email: string; fingerprint: string; encryptionKeyId: string; algorithm: string; armored: string },
): Promise<{ id: string; previousId: string | null }> {
  await sql`LOCK TABLE committee_keys IN SHARE ROW EXCLUSIVE MODE`.execute(trx);
  const previous = await trx
    .updateTable('committee_keys')
    .set({ retired_at: new Date() })
    .where('retired_at', 'is', null)
    .returning('id')
    .executeTakeFirst();
  const { id } = await trx
    .insertInto('committee_keys')
    .values({
      email: key.email,
      fingerprint: key.fingerprint,
      encryption_key_id: key.encryptionKeyId,
      algorithm: key.algorithm,
      armored: key.armored,
      retired_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await trx.updateTable('case_referrals').set({ committee_key_id: id }).where('sent_at', 'is', null).execute();
  return { id, previousId: previous?.id ?? null };
}
