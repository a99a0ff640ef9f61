import { sql, type Kysely, type Transaction } from 'kysely';
import type { CaseKind, Database, MessageRole } from './database';

type Db = Kysely<Database> | Transaction<Database>;

/** Everything the dashboard shows of a case in the clear: triage metadata, never content. */
export interface CaseDetail {
  id: string;
  reference: string;
  kind: CaseKind;
  status: string;
  channel: string;
  createdAt: Date;
  updatedAt: Date;
  assigneeId: string | null;
  assigneeName: string | null;
  expedited: boolean;
  resolution: string | null;
  duplicateOf: string | null;
  severityVector: string | null;
  severityScore: string | null;
  severityRating: string | null;
  cwe: string | null;
  affectedVersions: string | null;
  /** Midnight UTC of the embargo day (a `date` column, read as text: see embargoDay). */
  embargoUntil: Date | null;
  acknowledgedAt: Date | null;
  triagedAt: Date | null;
  acknowledgeDueAt: Date | null;
  triageDueAt: Date | null;
  reporterFingerprint: string;
  reporterPublicKey: string;
}

/**
 * node-pg turns a `date` into a Date at local midnight and sends a Date as local time, so in a server
 * time zone other than UTC the day shifts by one; the embargo day travels as 'YYYY-MM-DD' text instead.
 */
const embargoDay = sql<string | null>`to_char(c.embargo_until, 'YYYY-MM-DD')`;

/**
 * The case with this reference (in its stored form) if — and only if — the member is one of its
 * readers; otherwise undefined, exactly as for a reference that does not exist.
 */
export async function findReadableCase(db: Db, memberId: string, reference: string): Promise<CaseDetail | undefined> {
  const r = await db
    .selectFrom('cases as c')
    .innerJoin('case_readers as cr', (join) => join.onRef('cr.case_id', '=', 'c.id').on('cr.member_id', '=', memberId))
    .leftJoin('members as a', 'a.id', 'c.assignee_id')
    .select([
      'c.id',
      'c.reference',
      'c.kind',
      'c.status',
      'c.channel',
      'c.created_at',
      'c.updated_at',
      'c.assignee_id',
      'a.name as assignee_name',
      'c.expedited',
      'c.resolution',
      'c.duplicate_of',
      'c.severity_vector',
      'c.severity_score',
      'c.severity_rating',
      'c.cwe',
      'c.affected_versions',
      embargoDay.as('embargo_day'),
      'c.acknowledged_at',
      'c.triaged_at',
      'c.acknowledge_due_at',
      'c.triage_due_at',
      'c.reporter_fingerprint',
      'c.reporter_public_key',
    ])
    .where('c.reference', '=', reference)
    .executeTakeFirst();
  if (!r) return undefined;
  return {
    id: r.id,
    reference: r.reference,
    kind: r.kind,
    status: r.status,
    channel: r.channel,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    assigneeId: r.assignee_id,
    assigneeName: r.assignee_name,
    expedited: r.expedited,
    resolution: r.resolution,
    duplicateOf: r.duplicate_of,
    severityVector: r.severity_vector,
    severityScore: r.severity_score,
    severityRating: r.severity_rating,
    cwe: r.cwe,
    affectedVersions: r.affected_versions,
    embargoUntil: r.embargo_day === null ? null : new Date(`${r.embargo_day}T00:00:00Z`),
    acknowledgedAt: r.acknowledged_at,
    triagedAt: r.triaged_at,
    acknowledgeDueAt: r.acknowledge_due_at,
    triageDueAt: r.triage_due_at,
    reporterFingerprint: r.reporter_fingerprint,
    reporterPublicKey: r.reporter_public_key,
  };
}

export interface TimelineEntry {
  id: string;
  role: MessageRole;
  authorMemberId: string | null;
  authorName: string | null;
  createdAt: Date;
  /** This member's session-key packet; null when the message was not encrypted to any of its keys. */
  packet: Buffer | null;
  /** The packet was made later by another reader's browser (a grant), not with the message. */
  packetGranted: boolean;
  body: Buffer;
}

/** Every message of the case, oldest first, with this member's session-key packet where it has one. */
export async function caseTimeline(db: Db, caseId: string, memberId: string): Promise<TimelineEntry[]> {
  const rows = await db
    .selectFrom('messages as m')
    .leftJoin('members as a', 'a.id', 'm.author_member_id')
    .select((eb) => [
      'm.id',
      'm.role',
      'm.created_at',
      'm.body',
      'm.author_member_id',
      'a.name as author_name',
      eb
        .selectFrom('session_keys as k')
        .innerJoin('member_keys as mk', 'mk.id', 'k.member_key_id')
        .select('k.packet')
        .whereRef('k.message_id', '=', 'm.id')
        .where('mk.member_id', '=', memberId)
        .orderBy('mk.created_at', 'desc')
        .limit(1)
        .as('packet'),
      eb
        .selectFrom('session_keys as k')
        .innerJoin('member_keys as mk', 'mk.id', 'k.member_key_id')
        .select('k.granted_at')
        .whereRef('k.message_id', '=', 'm.id')
        .where('mk.member_id', '=', memberId)
        .orderBy('mk.created_at', 'desc')
        .limit(1)
        .as('packet_granted_at'),
    ])
    .where('m.case_id', '=', caseId)
    .orderBy('m.created_at')
    .orderBy('m.id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    role: r.role,
    authorMemberId: r.author_member_id,
    authorName: r.author_name,
    createdAt: r.created_at,
    packet: r.packet,
    packetGranted: r.packet_granted_at !== null && r.packet_granted_at !== undefined,
    body: r.body,
  }));
}

/** The ids and names of the members who may read the case. */
export async function caseReaders(db: Db, caseId: string): Promise<{ id: string; name: string; role: string }[]> {
  return db
    .selectFrom('case_readers as cr')
    .innerJoin('members as m', 'm.id', 'cr.member_id')
    .select(['m.id', 'm.name', 'm.role'])
    .where('cr.case_id', '=', caseId)
    .orderBy('m.name')
    .execute();
}
