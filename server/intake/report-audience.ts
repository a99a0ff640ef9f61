// The governance as the report pages show it, read from the members on file.
import type { Kysely } from 'kysely';
import type { CaseKind, Database } from '../../db/database';
import { listMembersWithKeys } from '../../db/members.queries';
import { reportAudience, type ReportAudience } from '../governance/routing';

async function audienceOnFile(db: Kysely<Database>, kind: CaseKind): Promise<ReportAudience> {
  return reportAudience(kind, await listMembersWithKeys(db));
}

/** The form's audience; without the database the form still comes back with the reporter's text (approvers unknown). */
export async function formAudience(db: Kysely<Database>, kind: CaseKind): Promise<ReportAudience> {
  return audienceOnFile(db, kind).catch(() => reportAudience(kind, []));
}

/** The approvers a Code of Conduct reporter may name as involved. */
export async function approversToName(db: Kysely<Database>): Promise<ReportAudience['approvers']> {
  return (await audienceOnFile(db, 'coc')).approvers;
}

/** The names of the approvers the reporter named as involved, for the report's text. */
export async function involvedApproverNames(db: Kysely<Database>, involvedIds: readonly string[]): Promise<string[]> {
  return (await approversToName(db)).filter((a) => involvedIds.includes(a.id)).map((a) => a.name);
}
