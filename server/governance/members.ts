import type { Kysely } from 'kysely';
import type { Database, MemberRole } from '../../db/database';
import {
  deleteMember,
  findMemberByEmail,
  insertMember,
  listMembersWithKeys,
  replaceMemberKey,
  type MemberWithKey,
} from '../../db/members.queries';
import { InvalidKeyError } from '../../crypto/errors';
import { validatePublicKey, type ValidatedKey } from '../../crypto/keys';
import { appendAudit, BY_OPERATOR } from '../audit/audit-log';
import { badInput, conflict, notFound } from '../errors';
import { srtStatus } from './routing';
import { addJoinedSrtToOpenCases } from './access';
import { appointByOperator } from './srt-team';
import { TEXT_LIMITS, checkText } from '../text-checks';

export const MEMBER_ROLES: readonly MemberRole[] = ['approver', 'srt', 'liaison'];

/** Who replaces a key: the operator (CLI), or the member itself ("My key"). The audit row names it. */
export type KeyChangedBy = 'operator' | { memberId: string };

export interface NewMemberInput {
  name: string;
  email: string;
  role: string;
  armoredKey: string;
  allowUidMismatch?: boolean;
}

/** Adds a member after checking its key can safely receive reports. */
export async function addMember(db: Kysely<Database>, input: NewMemberInput): Promise<MemberWithKey> {
  const name = checkText(input.name, 'The name', TEXT_LIMITS.name).trim();
  const email = checkText(input.email, 'The e-mail', TEXT_LIMITS.email).trim();
  checkText(input.armoredKey, 'The key', TEXT_LIMITS.publicKey);
  const role = input.role.trim().toLowerCase();
  const problems: string[] = [];
  if (name === '') problems.push('a name is required');
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) problems.push(`"${email}" is not an e-mail address`);
  if (!(MEMBER_ROLES as readonly string[]).includes(role))
    problems.push(`the role must be one of ${MEMBER_ROLES.join(', ')}`);
  if (problems.length > 0) throw badInput(`Cannot add the member: ${problems.join('; ')}.`);

  const key = await acceptKey(input.armoredKey, email, input.allowUidMismatch);
  await refuseKeyInUse(db, key.fingerprint, email);
  if (await findMemberByEmail(db, email)) throw conflict(`A member with the e-mail ${email} exists already.`);
  await db.transaction().execute(async (trx) => {
    const before = await listMembersWithKeys(trx);
    const memberId = await insertMember(trx, { name, email, role: role as MemberRole }, keyRow(key));
    await appendAudit(trx, {
      ...BY_OPERATOR,
      action: 'member.added',
      details: { memberId, role, fingerprint: key.fingerprint },
    });
    if (role === 'srt') await appointByOperator(trx, memberId);
    await addJoinedSrtToOpenCases(trx, before, await listMembersWithKeys(trx), BY_OPERATOR);
  });
  return (await findMemberByEmail(db, email))!;
}

/** Replaces a member's key for messages from now on; earlier messages keep the packets of the old key. */
export async function setMemberKey(
  db: Kysely<Database>,
  email: string,
  armoredKey: string,
  options: { by: KeyChangedBy; allowUidMismatch?: boolean },
): Promise<MemberWithKey> {
  const member = await requireMember(db, email);
  checkText(armoredKey, 'The key', TEXT_LIMITS.publicKey);
  const key = await acceptKey(armoredKey, member.email, options.allowUidMismatch);
  await refuseKeyInUse(db, key.fingerprint, member.email);
  await db.transaction().execute(async (trx) => {
    await replaceMemberKey(trx, member.id, keyRow(key));
    const details = { memberId: member.id, previousFingerprint: member.fingerprint, fingerprint: key.fingerprint };
    const actor = options.by === 'operator' ? BY_OPERATOR : { caseId: null, actorMemberId: options.by.memberId };
    await appendAudit(trx, { ...actor, action: 'member.key-changed', details });
  });
  return (await findMemberByEmail(db, email))!;
}

/** Removes a member: its access to every case and its session-key packets go with it. */
export async function removeMember(db: Kysely<Database>, email: string): Promise<MemberWithKey> {
  const member = await requireMember(db, email);
  await db.transaction().execute(async (trx) => {
    const before = await listMembersWithKeys(trx);
    await deleteMember(trx, member.id);
    await appendAudit(trx, {
      ...BY_OPERATOR,
      action: 'member.removed',
      details: { memberId: member.id, role: member.role, fingerprint: member.fingerprint },
    });
    // A delegated SRT falling below two: the approvers are part of the SRT again.
    await addJoinedSrtToOpenCases(trx, before, await listMembersWithKeys(trx), BY_OPERATOR);
  });
  return member;
}

export async function listMembers(db: Kysely<Database>): Promise<MemberWithKey[]> {
  return listMembersWithKeys(db);
}

/** The fingerprint of a member's current key ('' when none is on file), for "My key". */
export async function memberFingerprint(db: Kysely<Database>, email: string): Promise<string> {
  return (await findMemberByEmail(db, email))?.fingerprint ?? '';
}

/** The governance warnings the operator must see on every command and at start. */
export async function governanceWarnings(db: Kysely<Database>): Promise<string[]> {
  const members = await listMembersWithKeys(db);
  const warning = srtStatus(members).warning;
  return warning ? [warning] : [];
}

async function requireMember(db: Kysely<Database>, email: string): Promise<MemberWithKey> {
  const member = await findMemberByEmail(db, checkText(email, 'The e-mail', TEXT_LIMITS.email));
  if (!member) throw notFound(`No member has the e-mail ${email}.`);
  return member;
}

async function acceptKey(armoredKey: string, email: string, allowUidMismatch?: boolean): Promise<ValidatedKey> {
  try {
    return await validatePublicKey(armoredKey, { email, allowUidMismatch });
  } catch (error) {
    if (error instanceof InvalidKeyError) throw badInput(`Key refused: ${error.message}`, error);
    throw error;
  }
}

async function refuseKeyInUse(db: Kysely<Database>, fingerprint: string, email: string): Promise<void> {
  const holder = (await listMembersWithKeys(db)).find((m) => m.fingerprint === fingerprint);
  if (holder && holder.email.toLowerCase() !== email.toLowerCase()) {
    throw conflict(
      `The key ${fingerprint} belongs to another member (${holder.email}); every member needs a key of their own.`,
    );
  }
}

function keyRow(key: ValidatedKey) {
  return {
    fingerprint: key.fingerprint,
    encryptionKeyId: key.encryptionKeyId,
    algorithm: key.algorithm,
    armored: key.armored,
  };
}
