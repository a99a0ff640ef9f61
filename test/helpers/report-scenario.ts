// A database of its own with fixture members, the real app serving it, and the ways a test reads a
// stored case back: as a member would, with stock `gpg --decrypt` and the member's secret key.
import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database, MemberRole } from '../../db/database';
import type { MemberWithKey } from '../../db/members.queries';
import { exportCaseForMember } from '../../server/cases/cases';
import { createTestDatabase, type TestDatabase } from './db';
import { createGnupgHome } from './gnupg';
import { addFixtureMember, fixtureKey, type GoodKeyName } from './keys';
import { startTestServer, type TestServer } from './server';

export interface ReportScenario {
  database: TestDatabase;
  db: Kysely<Database>;
  server: TestServer;
  members: Partial<Record<GoodKeyName, MemberWithKey>>;
  close(): Promise<void>;
}

/** The members most tests need: a delegated SRT of two, and two approvers. */
export const DEFAULT_MEMBERS: readonly [GoodKeyName, MemberRole][] = [
  ['alice', 'srt'],
  ['bob', 'srt'],
  ['carol', 'approver'],
  ['dave', 'approver'],
];

export async function startReportScenario(
  options: { members?: readonly [GoodKeyName, MemberRole][]; env?: Record<string, string> } = {},
): Promise<ReportScenario> {
  const database = await createTestDatabase();
  const members: ReportScenario['members'] = {};
  try {
    for (const [name, role] of options.members ?? DEFAULT_MEMBERS)
      members[name] = await addFixtureMember(database.db, name, role);
    const server = await startTestServer(database.db, options.env);
    return {
      database,
      db: database.db,
      server,
      members,
      close: async () => {
        await server.close();
        await database.destroy();
      },
    };
  } catch (error) {
    await database.destroy();
    throw error;
  }
}

/** A string that appears nowhere unless a test put it there: `CANARY-<label>-<random hex>`. */
export function canary(label: string): string {
  return `CANARY-${label}-${crypto.randomBytes(8).toString('hex')}`;
}

export interface DecryptedMessage {
  role: string;
  data: Buffer;
}

/**
 * Exports the case for a member (its session-key packets + the bodies) and decrypts every message
 * with `gpg --decrypt` in a throw-away GnuPG home holding only that member's secret key.
 */
export async function decryptCaseWithGpg(
  db: Kysely<Database>,
  reference: string,
  name: GoodKeyName,
): Promise<DecryptedMessage[]> {
  const key = fixtureKey(name);
  const exported = await exportCaseForMember(db, reference, key.email);
  const gpg = await createGnupgHome();
  try {
    await gpg.importKey(key.secretKey);
    const decrypted: DecryptedMessage[] = [];
    for (const message of exported) decrypted.push({ role: message.role, data: await gpg.decrypt(message.armored) });
    return decrypted;
  } finally {
    await gpg.destroy();
  }
}

/** Eight lower-case words separated by single spaces: the shape of a receipt. */
export const RECEIPT_SHAPE = /^[a-z]+( [a-z]+){7}$/;
