// A security case's advisory draft (issue 12 §1): written and encrypted in a reader's browser to the
// case's readers, stored like a comment (role `advisory-draft`; the newest is the current draft).
// The server checks whom it is addressed to and never sees its plaintext; exports are made in the
// browser from the decrypted draft, and only the fact of an export is recorded here.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import { advisoryPublishedAt, newestAdvisoryDraft } from '../../db/advisory.queries';
import { appendAudit } from '../audit/audit-log';
import type { SignedInMember } from '../auth/signed-in-member';
import type { CaseEvents } from '../cases/case-events';
import { storeCaseMessage } from '../cases/case-messages';
import { requireReadableCase } from '../cases/case-work';
import { stateOf } from '../cases/workflow';
import type { CaseDetail } from '../../db/case-view.queries';
import { badInput } from '../errors';
import { refuseLiaison } from '../governance/liaison-limits';
import type { AdvisoryConfig } from './advisory-config';
import type { AdvisoryExportMeta } from './export-meta';
import type { CaseSeverityFields } from './advisory-form';

export const EXPORT_FORMATS = ['osv', 'csaf'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** A security case a reader (not a liaison) may write the advisory of. */
async function advisoryCase(db: Kysely<Database>, member: SignedInMember, reference: string): Promise<CaseDetail> {
  const found = await requireReadableCase(db, member, reference);
  refuseLiaison(member, 'write or export the advisory');
  if (found.kind !== 'security') throw badInput('Only a security case has an advisory.');
  return found;
}

/** Stores a new version of the draft, encrypted in the browser; it must be addressed to exactly the case's readers. */
export async function saveAdvisoryDraft(
  db: Kysely<Database>,
  member: SignedInMember,
  reference: string,
  message: string,
  events: CaseEvents,
): Promise<{ id: string }> {
  const found = await advisoryCase(db, member, reference);
  if (stateOf(found.kind, found.status).terminal)
    throw badInput('This case is closed: reopen it to work on its advisory again.');
  const id = await storeCaseMessage(db, found, {
    role: 'advisory-draft',
    authorMemberId: member.id,
    message,
    withReporter: false,
  });
  await events.messageAdded(found.id, member.id);
  return { id };
}

/** The current draft's ciphertext for this member, the case's typed fields for a first draft, and what an export needs. */
export async function advisoryForBrowser(
  db: Kysely<Database>,
  member: SignedInMember,
  reference: string,
  config: AdvisoryConfig,
) {
  const found = await advisoryCase(db, member, reference);
  const [draft, publishedAt] = await Promise.all([
    newestAdvisoryDraft(db, found.id, member.id),
    advisoryPublishedAt(db, found.id),
  ]);
  const prefill: CaseSeverityFields = {
    severityVector: found.severityVector,
    cwe: found.cwe,
    affectedVersions: found.affectedVersions,
    embargoUntil: found.embargoUntil ? found.embargoUntil.toISOString().slice(0, 10) : null,
  };
  const meta: Omit<AdvisoryExportMeta, 'savedAt'> = {
    reference: found.reference,
    osvIdPrefix: config.osvIdPrefix,
    publisher: config.publisher,
    publishedAt: publishedAt?.toISOString() ?? null,
  };
  return {
    draft: draft && {
      id: draft.id,
      savedAt: draft.createdAt.toISOString(),
      author: draft.authorName,
      packet: draft.packet?.toString('base64') ?? null,
      body: draft.packet ? draft.body.toString('base64') : null,
    },
    prefill,
    meta,
  };
}

/** Records that this member's browser exported the current draft (the export itself never reaches the server). */
export async function recordAdvisoryExport(
  db: Kysely<Database>,
  member: SignedInMember,
  reference: string,
  format: unknown,
  /** The draft the browser exported: it must still be the current one. */
  draftId: unknown,
): Promise<void> {
  const found = await advisoryCase(db, member, reference);
  const chosen = EXPORT_FORMATS.find((f) => f === format);
  if (!chosen) throw badInput(`"format" must be one of: ${EXPORT_FORMATS.join(', ')}.`);
  const draft = await newestAdvisoryDraft(db, found.id, member.id);
  if (!draft) throw badInput('There is no advisory draft to export yet: save one first.');
  if (draftId !== draft.id)
    throw badInput('A newer draft has been saved since this page was loaded: reload the page and export that one.');
  await appendAudit(db, {
    caseId: found.id,
    actorMemberId: member.id,
    action: 'advisory.exported',
    details: { format: chosen, draftId: draft.id },
  });
}
