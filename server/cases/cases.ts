import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import { findCaseByReference, isCaseReader, listCaseSummaries, messagesForMember, type CaseSummary } from '../../db/cases.queries';
import { findMemberByEmail } from '../../db/members.queries';
import { assembleMessage } from '../../crypto/split-message';
import { appendAudit } from '../audit/audit-log';
import { parseCaseReference } from './case-reference';
import { forbidden, notFound } from '../errors';
import { TEXT_LIMITS, checkText } from '../text-checks';

export interface ExportedMessage {
  role: string;
  createdAt: Date;
  armored: string;
}

export async function listCases(db: Kysely<Database>): Promise<CaseSummary[]> {
  return listCaseSummaries(db);
}

/**
 * The armored messages of a case that this member can decrypt (its session-key packet + the body),
 * ready for `gpg --decrypt`. Refuses a member who is not a reader of the case.
 */
export async function exportCaseForMember(db: Kysely<Database>, reference: string, email: string): Promise<ExportedMessage[]> {
  const stored = parseCaseReference(checkText(reference, 'The reference', TEXT_LIMITS.reference));
  const found = stored === null ? undefined : await findCaseByReference(db, stored);
  if (!found) throw notFound(`No case has the reference ${reference}.`);
  const member = await findMemberByEmail(db, checkText(email, 'The e-mail', TEXT_LIMITS.email));
  if (!member) throw notFound(`No member has the e-mail ${email}.`);
  if (!(await isCaseReader(db, found.id, member.id))) {
    throw forbidden(`${member.email} has no access to ${found.reference}: the governance did not route it to them.`);
  }
  const messages = await messagesForMember(db, found.id, member.id);
  if (messages.length === 0) throw forbidden(`${member.email} holds no key for any message of ${found.reference}.`);
  const exported = await Promise.all(
    messages.map(async (m) => ({ role: m.role, createdAt: m.createdAt, armored: await assembleMessage(m.packet, m.body) })),
  );
  // Logged before anything is handed out: if the audit append fails, nothing is exported.
  await appendAudit(db, {
    caseId: found.id,
    actorMemberId: null,
    actorLabel: 'operator',
    action: 'case.exported',
    details: { reference: found.reference, memberId: member.id, fingerprint: member.fingerprint, messages: exported.length },
  });
  return exported;
}
