// Cases for the transparency report's tests, written straight into the table with the dates a test
// needs (the report reads only kind, channel and dates; nothing here is content).
import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import type { CaseChannel, CaseKind, Database } from '../../db/database';

export interface SeededCase {
  kind: CaseKind;
  channel: CaseChannel;
  createdAt: Date;
  acknowledgedAt?: Date;
  resolution?: string;
  resolvedAt?: Date;
}

export async function seedCase(db: Kysely<Database>, c: SeededCase): Promise<string> {
  const { id } = await db
    .insertInto('cases')
    .values({
      reference: `T-${crypto.randomBytes(6).toString('hex').toUpperCase()}`,
      kind: c.kind,
      channel: c.channel,
      status: c.resolution ? 'resolved' : c.acknowledgedAt ? 'acknowledged' : 'new',
      receipt_lookup: crypto.randomBytes(32),
      reporter_fingerprint: 'seeded',
      reporter_public_key: 'seeded',
      reporter_locked_key: 'seeded',
      created_at: c.createdAt,
      acknowledged_at: c.acknowledgedAt ?? null,
      resolution: c.resolution ?? null,
      resolved_at: c.resolvedAt ?? null,
    } as never)
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

export const HOUR_MS = 3600 * 1000;
export const at = (from: Date, hours: number) => new Date(from.getTime() + hours * HOUR_MS);
