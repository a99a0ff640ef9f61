// What the dashboard and follow-up tests share: a signed-in member without a session, events that
// are recorded, messages encrypted the way the dashboard's bundle does it, and caught errors.
import type { Kysely } from 'kysely';
import { readKey, type PublicKey } from 'openpgp';
import type { CaseKind, Database } from '../../db/database';
import type { MemberWithKey } from '../../db/members.queries';
import { messageConfig } from '../../crypto/openpgp-config';
import { armorMessage, encryptMessage } from '../../crypto/split-message';
import { silentCaseEvents, type CaseEvents } from '../../server/cases/case-events';
import { DomainError } from '../../server/errors';
import type { SignedInMember } from '../../server/auth/signed-in-member';
import { submitPlaintextReport } from '../../server/intake/reports';
import { testArgon2Cost } from './keys';

/** The member as the session middleware would hand it to a route. */
export function signedIn(member: MemberWithKey): SignedInMember {
  return {
    id: member.id,
    name: member.name,
    email: member.email,
    role: member.role,
    sessionId: `test-session-${member.id}`,
  };
}

export interface RecordedEvents extends CaseEvents {
  calls: string[];
}

/** CaseEvents that remember each call as "event:arg:arg" (null written as "null"), whatever events there are. */
export function recordingEvents(): RecordedEvents {
  const calls: string[] = [];
  const record =
    (name: string) =>
    async (...args: unknown[]) =>
      void calls.push([name, ...args.map(String)].join(':'));
  return Object.assign(
    Object.fromEntries(Object.keys(silentCaseEvents).map((name) => [name, record(name)])) as unknown as CaseEvents,
    { calls },
  );
}

/** Encrypts `text` to these armored public keys, armored, as the dashboard's bundle posts it. */
export async function encryptArmored(text: string, armoredKeys: string[]): Promise<string> {
  const recipients = await Promise.all(
    armoredKeys.map(async (armoredKey) => (await readKey({ armoredKey, config: messageConfig })) as PublicKey),
  );
  return armorMessage(await encryptMessage({ data: text, recipients }));
}

/** A report through the no-JavaScript path (the server encrypts); returns reference, id and receipt. */
export async function submitReport(db: Kysely<Database>, kind: CaseKind, document: string, involvedIds: string[] = []) {
  const submitted = await submitPlaintextReport(
    db,
    { kind, involvedIds, document, attachments: [] },
    { channel: 'web-no-js', argon2: testArgon2Cost },
  );
  const { id } = await db
    .selectFrom('cases')
    .select('id')
    .where('reference', '=', submitted.reference)
    .executeTakeFirstOrThrow();
  return { ...submitted, id };
}

/** The DomainError a promise rejects with (fails the test if it resolves or throws something else). */
export async function domainErrorOf(promise: Promise<unknown>): Promise<DomainError> {
  const outcome = await promise.then(
    () => new Error('expected a DomainError, but the call succeeded'),
    (error: unknown) => error,
  );
  if (!(outcome instanceof DomainError)) throw outcome;
  return outcome;
}

/** How many audit rows a case has, to show that a refused or hidden action wrote none. */
export async function auditRowCount(db: Kysely<Database>, caseId?: string): Promise<number> {
  let query = db.selectFrom('audit_log').select((eb) => eb.fn.countAll<string>().as('n'));
  if (caseId) query = query.where('case_id', '=', caseId);
  return Number((await query.executeTakeFirstOrThrow()).n);
}
