import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import {
  findCaseByReference,
  isCaseReader,
  listCaseSummaries,
  messagesForMember,
  type CaseSummary,
} from '../../db/cases.queries';
import { findMemberByEmail } from '../../db/members.queries';
import { caseTimeline, type TimelineEntry } from '../../db/case-view.queries';
import { assembleMessage } from '../../crypto/split-message';
import { appendAudit, type AuditEvent } from '../audit/audit-log';
import { requireReadableCase } from './case-work';
import { parseCaseReference } from './case-reference';
import { forbidden, notFound } from '../errors';
import type { SignedInMember } from '../auth/signed-in-member';
import { TEXT_LIMITS, checkText } from '../text-checks';

export interface ExportedMessage {
  id: string;
  role: string;
  createdAt: Date;
  armored: string;
}

export async function listCases(db: Kysely<Database>): Promise<CaseSummary[]> {
  return listCaseSummaries(db);
}

/**
 * The armored messages of a case that this member can decrypt (its session-key packet + the body),
 * ready for `gpg --decrypt`: the operator's export (CLI). Refuses a member who is not a reader of the case.
 */
export async function exportCaseForMember(
  db: Kysely<Database>,
  reference: string,
  email: string,
): Promise<ExportedMessage[]> {
  const stored = parseCaseReference(checkText(reference, 'The reference', TEXT_LIMITS.reference));
  const found = stored === null ? undefined : await findCaseByReference(db, stored);
  if (!found) throw notFound(`No case has the reference ${reference}.`);
  const member = await findMemberByEmail(db, checkText(email, 'The e-mail', TEXT_LIMITS.email));
  if (!member) throw notFound(`No member has the e-mail ${email}.`);
  if (!(await isCaseReader(db, found.id, member.id))) {
    throw forbidden(`${member.email} has no access to ${found.reference}: the governance did not route it to them.`);
  }
  return exportMessages(db, found.id, member.id, {
    refusal: forbidden(`${member.email} holds no key for any message of ${found.reference}.`),
    audit: (exported) => ({
      actorMemberId: null,
      actorLabel: 'operator',
      details: {
        reference: found.reference,
        memberId: member.id,
        fingerprint: member.fingerprint,
        messages: exported.length,
      },
    }),
  });
}

/** One message of a case, still encrypted, as the signed-in reader downloads it from the case page. */
export async function downloadCaseMessage(
  db: Kysely<Database>,
  member: SignedInMember,
  reference: string,
  messageId: string,
): Promise<{ reference: string; message: ExportedMessage }> {
  const found = await requireReadableCase(db, member, reference);
  const [message] = await exportMessages(db, found.id, member.id, {
    only: messageId,
    refusal: notFound('This message was not encrypted to your key.'),
    audit: () => ({ actorMemberId: member.id, details: { messageId } }),
  });
  return { reference: found.reference, message: message! };
}

/** A readable case's messages, still encrypted, with this member's key packets: what the dashboard's bundle decrypts. */
export async function readableTimeline(
  db: Kysely<Database>,
  member: SignedInMember,
  reference: string,
): Promise<TimelineEntry[]> {
  const found = await requireReadableCase(db, member, reference);
  return caseTimeline(db, found.id, member.id);
}

/**
 * The messages of a case that `readerId` holds a key packet for (`only`: that one), assembled. The
 * audit row is written before anything is handed out: if the append fails, nothing is exported.
 */
async function exportMessages(
  db: Kysely<Database>,
  caseId: string,
  readerId: string,
  options: {
    only?: string;
    refusal: Error;
    audit: (exported: ExportedMessage[]) => Omit<AuditEvent, 'caseId' | 'action'>;
  },
): Promise<ExportedMessage[]> {
  const held = (await messagesForMember(db, caseId, readerId)).filter(
    (m) => options.only === undefined || m.id === options.only,
  );
  if (held.length === 0) throw options.refusal;
  const exported = await Promise.all(
    held.map(async (m) => ({
      id: m.id,
      role: m.role,
      createdAt: m.createdAt,
      armored: await assembleMessage(m.packet, m.body),
    })),
  );
  await appendAudit(db, { ...options.audit(exported), caseId, action: 'case.exported' });
  return exported;
}
