// The GnuPG-made fixture keys (test/fixtures/keys/), read by name; fingerprints come from index.json.
import fs from 'node:fs';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { readPrivateKey, type PrivateKey } from 'openpgp';
import type { Database, MemberRole } from '../../db/database';
import type { MemberWithKey } from '../../db/members.queries';
import type { Argon2Cost } from '../../crypto/openpgp-config';
import { messageConfig } from '../../crypto/openpgp-config';
import { addMember } from '../../server/governance/members';

export const FIXTURE_KEYS_DIR = path.join(__dirname, '..', 'fixtures', 'keys');

interface IndexEntry {
  email: string;
  uid: string;
  fingerprint: string;
  algorithm: string;
  valid: boolean;
  pub: string;
  sec: string | null;
}

const index: Record<string, IndexEntry> = JSON.parse(
  fs.readFileSync(path.join(FIXTURE_KEYS_DIR, 'index.json'), 'utf8'),
);

/** Members with a secret key, which tests can decrypt as. */
export type GoodKeyName = 'alice' | 'bob' | 'carol' | 'dave' | 'erin' | 'frank' | 'gina';
/** Public keys that validation must refuse. */
export type BadKeyName = 'weak-rsa1024' | 'sign-only' | 'expired' | 'revoked' | 'dsa-elgamal';

export interface FixtureKey {
  name: string;
  /** The display name of the user ID ("Alice SRT"). */
  displayName: string;
  email: string;
  /** Upper-case hex, from index.json. */
  fingerprint: string;
  publicKey: string;
  /** Armored, unprotected; null for the bad keys. */
  secretKey: string | null;
  /** Path of the armored secret key file, for `gpg --import`; null for the bad keys. */
  secretKeyPath: string | null;
}

export function fixtureKey(name: GoodKeyName): FixtureKey & { secretKey: string; secretKeyPath: string };
export function fixtureKey(name: BadKeyName): FixtureKey;
export function fixtureKey(name: GoodKeyName | BadKeyName): FixtureKey {
  const entry = index[name];
  if (!entry) throw new Error(`No fixture key named ${name} in index.json`);
  const secretKeyPath = entry.sec === null ? null : path.join(FIXTURE_KEYS_DIR, entry.sec);
  return {
    name,
    displayName: entry.uid.replace(/\s*<.*>$/, ''),
    email: entry.email,
    fingerprint: entry.fingerprint,
    publicKey: fs.readFileSync(path.join(FIXTURE_KEYS_DIR, entry.pub), 'utf8'),
    secretKey: secretKeyPath === null ? null : fs.readFileSync(secretKeyPath, 'utf8'),
    secretKeyPath,
  };
}

/** Names of every fixture key index.json lists, valid or not. */
export function fixtureKeyNames(): string[] {
  return Object.keys(index);
}

/** The fixture's unprotected secret key, parsed, for decrypting with OpenPGP.js. */
export async function fixturePrivateKey(name: GoodKeyName): Promise<PrivateKey> {
  return readPrivateKey({ armoredKey: fixtureKey(name).secretKey, config: messageConfig });
}

/** Adds a fixture key's owner as a member, through the same workflow function the CLI uses. */
export async function addFixtureMember(
  db: Kysely<Database>,
  name: GoodKeyName,
  role: MemberRole,
): Promise<MemberWithKey> {
  const key = fixtureKey(name);
  return addMember(db, { name: key.displayName, email: key.email, role, armoredKey: key.publicKey });
}

/** Argon2 cost low enough for tests (1 MiB, one pass) when locking reporter keys. */
export const testArgon2Cost: Argon2Cost = Object.freeze({ passes: 1, parallelism: 1, memoryExponent: 10 });
