import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

/** Set by the database when a row is made, never changed afterwards. */
type CreatedAt = ColumnType<Date, never, never>;
/** A nullable column an insert may leave out. */
type Optional<T> = ColumnType<T, T | undefined, T>;

export type MemberRole = 'approver' | 'srt' | 'liaison';
export type CaseKind = 'security' | 'coc';
export type CaseChannel = 'web' | 'web-no-js' | 'email';
export type MessageRole =
  | 'report'
  | 'attachment'
  | 'comment'
  | 'reply'
  | 'reporter-reply'
  | 'committee-decision'
  | 'meeting-minutes'
  | 'advisory-draft'
  | 'embargo-leak';
/** Why a member reads a case (case_readers.via). */
export type ReaderVia = 'routed' | 'srt-joined' | 'conflict-lifted' | 'liaison' | 'extended';
export type ConflictLevel = 'hard' | 'soft';
export type ConflictGround = 'involved' | 'accused-or-target' | 'close-relationship' | 'same-employer' | 'appearance';
export type ProposalKind =
  | 'refer'
  | 'appoint-liaison'
  | 'end-liaison'
  | 'lift-conflict'
  | 'downgrade-conflict'
  | 'extend-srt-access'
  | 'appoint-srt'
  | 'srt-reviewed'
  | 'change-setting'
  | 'resolve-coc'
  | 'publish-advisory'
  | 'lift-legal-hold';
export type ProposalStatus = 'open' | 'passed' | 'rejected' | 'withdrawn' | 'lapsed';
export type BallotChoice = 'yes' | 'no' | 'abstain';

export interface MembersTable {
  id: Generated<string>;
  name: string;
  email: string;
  role: MemberRole;
  created_at: CreatedAt;
}

export interface MemberKeysTable {
  id: Generated<string>;
  member_id: string;
  fingerprint: string;
  /** The key ID (hex) of the subkey that session-key packets are addressed to. */
  encryption_key_id: string;
  algorithm: string;
  armored: string;
  created_at: CreatedAt;
  retired_at: Date | null;
}

export interface CasesTable {
  id: Generated<string>;
  reference: ColumnType<string, string, never>;
  kind: ColumnType<CaseKind, CaseKind, never>;
  status: Generated<string>;
  channel: ColumnType<CaseChannel, CaseChannel, never>;
  /** SHA-256 of the normalized receipt: finds the case, reveals nothing (the receipt has >= 80 bits). */
  receipt_lookup: ColumnType<Buffer, Buffer, never>;
  reporter_fingerprint: string;
  reporter_public_key: string;
  /** The reporter's private key, encrypted under the receipt (OpenPGP S2K); null once the content is deleted. */
  reporter_locked_key: string | null;
  created_at: CreatedAt;
  updated_at: Generated<Date>;
  assignee_id: string | null;
  expedited: Generated<boolean>;
  /** A CoC resolution's outcome (no-violation, warning, …). */
  resolution: string | null;
  /** The reference of the case a security "duplicate" duplicates. */
  duplicate_of: string | null;
  severity_vector: string | null;
  /** numeric comes back from pg as a string. */
  severity_score: string | null;
  severity_rating: string | null;
  cwe: string | null;
  affected_versions: string | null;
  embargo_until: Date | null;
  acknowledged_at: Date | null;
  triaged_at: Date | null;
  acknowledge_due_at: Date | null;
  triage_due_at: Date | null;
  escalated_at: Date | null;
  /** When the resolution was recorded (set by the database, migration 2026-12-01-17). */
  resolved_at: Generated<Date | null>;
  /** Retention (migration 2026-12-01-20): the last status change or new message; a closed case's clock runs from it. */
  retention_started_at: Generated<Date>;
  retention_warned_for: Date | null;
  retention_warned_at: Date | null;
  content_deleted_at: Date | null;
}

export interface CaseReadersTable {
  case_id: string;
  member_id: string;
  granted_at: CreatedAt;
  via: Generated<ReaderVia>;
  // A copy of the case's list facts, written only by the database's triggers (migration
  // 2026-11-24-06): filtering, ordering and counting on them keeps a dashboard page to one walk of
  // the member's own index, whatever the number of cases.
  case_created_at: ColumnType<Date, never, never>;
  case_kind: ColumnType<CaseKind, never, never>;
  case_status: ColumnType<string, never, never>;
  case_assignee_id: ColumnType<string | null, never, never>;
  /** The earlier due time of the response clocks still running: overdue is exactly case_clock_due_at < now. */
  case_clock_due_at: ColumnType<Date | null, never, never>;
}

export interface MessagesTable {
  id: Generated<string>;
  case_id: string;
  role: MessageRole;
  author_member_id: string | null;
  /** The encrypted body (one SEIPD packet), stored once for all recipients. */
  body: ColumnType<Buffer, Buffer, never>;
  created_at: CreatedAt;
}

export interface SessionKeysTable {
  message_id: string;
  recipient_fingerprint: string;
  /** null for the reporter's own key. */
  member_key_id: string | null;
  /** One public-key encrypted session-key packet (PKESK), addressed to this recipient. */
  packet: Buffer;
  /** Set for a packet made for the CNCF CoC Committee's key. */
  committee_key_id: Optional<string | null>;
  /** Set for a packet made later by a reader's browser (a grant); null when made with the message. */
  granted_by_member_id: Optional<string | null>;
  granted_at: Optional<Date | null>;
}

/** The CNCF CoC Committee's key (set by the operator); one current, earlier ones retired. */
export interface CommitteeKeysTable {
  id: Generated<string>;
  email: string;
  fingerprint: string;
  encryption_key_id: string;
  algorithm: string;
  armored: string;
  created_at: CreatedAt;
  retired_at: Date | null;
}

/** A packet a grantee's browser could not decrypt: that grant is pending again, for another reader. */
export interface GrantFailuresTable {
  message_id: string;
  recipient_fingerprint: string;
  granted_by_member_id: string | null;
  reported_at: Generated<Date>;
}

export interface CaseConflictsTable {
  id: Generated<string>;
  case_id: string;
  member_id: string;
  level: ConflictLevel;
  ground: ConflictGround;
  /** null: the reporter named them at submission. */
  recorded_by_member_id: string | null;
  created_at: CreatedAt;
  lifted_at: Date | null;
  lifted_by_proposal_id: string | null;
}

export interface ProposalsTable {
  id: Generated<string>;
  /** null: on the project. */
  case_id: string | null;
  kind: ProposalKind;
  subject_member_id: string | null;
  subject_conflict_id: string | null;
  /** null: proposed by the system, or by a member since removed (by_system tells which). */
  proposed_by_member_id: string | null;
  by_system: Generated<boolean>;
  threshold: Generated<'majority' | 'two-thirds'>;
  created_at: CreatedAt;
  deadline_at: Date;
  vote_called_at: Date | null;
  vote_called_by_member_id: string | null;
  vote_called_as: 'objection' | 'demand' | null;
  status: Generated<ProposalStatus>;
  closed_at: Date | null;
  /** The computed tally when it closed. */
  outcome: ColumnType<Record<string, unknown> | null, string | null, string | null>;
  /** What it is about beyond a member or a conflict (a setting's key); one open proposal per key. */
  subject_key: string | null;
  /** What it would do, as the server needs it to carry it out (never case content); JSON. */
  payload: ColumnType<unknown, string | null, string | null>;
}

export interface CharterSettingsTable {
  key: string;
  value: ColumnType<unknown, string, string>;
  changed_at: Generated<Date>;
  changed_by: 'seed' | 'operator' | 'decision';
  proposal_id: string | null;
}

export interface MeetingsTable {
  id: Generated<string>;
  case_id: string;
  starts_at: Date;
  duration_minutes: number;
  link: string;
  sequence: Generated<number>;
  called_by_member_id: string | null;
  created_at: Generated<Date>;
  cancelled_at: Date | null;
  attendance_recorded_at: Date | null;
  attendance_recorded_by: string | null;
}

export type MeetingRemovedReason = 'hard-conflict' | 'no-longer-invited';

export interface MeetingInviteesTable {
  meeting_id: string;
  member_id: string;
  invited_at: Generated<Date>;
  removed_at: Date | null;
  removed_reason: MeetingRemovedReason | null;
  sequence: number;
  mailed_sequence: number | null;
  attended: boolean | null;
}

export interface MeetingMinutesTable {
  message_id: string;
  meeting_id: string;
}

/** A member of a delegated Security Response Team (migration 2026-12-01-14); none: the approvers themselves. */
export interface SrtMembersTable {
  member_id: string;
  since: Generated<Date>;
  appointed_by: 'operator' | 'decision';
  proposal_id: string | null;
}

/** A passed decision that reviewed the SRT ('reviewed') or appointed it ('appointed'). */
export interface SrtReviewsTable {
  id: Generated<string>;
  reviewed_at: Date;
  kind: 'reviewed' | 'appointed';
  proposal_id: string | null;
}

/** A review reminder sent for one due date. */
export interface SrtReviewRemindersTable {
  due_at: Date;
  kind: 'month-before' | 'overdue';
  sent_at: Date;
}

/** A security case a member who left the SRT keeps until a staying reader can read all of it. */
export interface SrtHandoversTable {
  case_id: string;
  member_id: string;
  since: Date;
  proposal_id: string | null;
}

export interface BallotsTable {
  proposal_id: string;
  member_id: string;
  choice: BallotChoice;
  cast_at: Generated<Date>;
}

export interface LiaisonAppointmentsTable {
  id: Generated<string>;
  case_id: string;
  member_id: string;
  proposal_id: string | null;
  appointed_at: Generated<Date>;
  ended_at: Date | null;
  ended_because: 'decision' | 'committee-closed' | 'case-closed' | 'conflict' | null;
  ended_by_proposal_id: string | null;
}

/** One sending to the committee: sent once every message it carries has a committee packet. */
export interface CaseReferralsTable {
  id: Generated<string>;
  case_id: string;
  /** null: later messages sent on by a reader's choice. */
  proposal_id: string | null;
  requested_by_member_id: string | null;
  committee_key_id: string;
  message_ids: string[];
  created_at: CreatedAt;
  sent_at: Date | null;
}

/** A notice to the CNCF CoC Committee's central record (issue 11 §4): ciphertext only until mailed. */
export interface CncfNoticesTable {
  id: Generated<string>;
  case_id: string;
  stage: 'incident' | 'resolution';
  committee_key_id: string;
  written_by_member_id: string | null;
  armored: string | null;
  created_at: CreatedAt;
  sent_at: Date | null;
}

export interface CncfLegalConsultationsTable {
  id: Generated<string>;
  case_id: string;
  consulted_on: Date;
  counsel: 'cncf-legal' | 'lf-counsel' | 'other-counsel';
  note_message_id: string | null;
  recorded_by_member_id: string | null;
  created_at: CreatedAt;
}

/** A CoC remedy's typed fields besides cases.resolution. */
export interface CocRemediesTable {
  case_id: string;
  months: number | null;
  named_publicly: boolean;
  proposal_id: string | null;
  recorded_at: CreatedAt;
}

export interface AppSecretsTable {
  name: string;
  value: string;
  created_at: CreatedAt;
}

/**
 * Append-only and hash-chained. A row is inserted unsealed (no hash), then sealed into the chain
 * once by sealAuditLog; the database refuses every other change.
 */
export interface AuditLogTable {
  /** int8 comes back from pg as a string. */
  id: ColumnType<string, never, never>;
  case_id: ColumnType<string | null, string | null, never>;
  actor_member_id: ColumnType<string | null, string | null, never>;
  /** 'member', or who acted without a member account: 'reporter', 'system', 'operator'. */
  actor_label: ColumnType<string, string, never>;
  action: ColumnType<string, string, never>;
  /** Metadata only (states, ids, references, fingerprints), never content. Inserted as JSON text. */
  details: ColumnType<Record<string, unknown>, string, never>;
  created_at: ColumnType<Date, never, never>;
  /** Set once, when sealed. */
  prev_hash: ColumnType<Buffer | null, never, Buffer>;
  hash: ColumnType<Buffer | null, never, Buffer>;
  /** The row's position in the chain: the order rows were sealed in. */
  chain_seq: ColumnType<string | null, never, string>;
}

export interface InvitationsTable {
  member_id: ColumnType<string, string, never>;
  /** SHA-256 of the link's token; the token itself is never stored. */
  token_hash: Buffer;
  expires_at: Date;
  created_at: CreatedAt;
  /** Enrolment progress: the argon2id hash of the chosen password, then the TOTP secret shown. */
  pending_password_hash: string | null;
  pending_totp_secret: string | null;
}

/** Secret columns: read only by the sign-in query (db/credentials.queries.ts). */
export interface MemberCredentialsTable {
  member_id: ColumnType<string, string, never>;
  password_hash: string;
  totp_secret: string;
  totp_last_step: number | null;
  created_at: CreatedAt;
}

export interface RecoveryCodesTable {
  member_id: string;
  /** SHA-256 of the normalized code; a code is deleted when used. */
  code_hash: Buffer;
}

export interface MemberSessionsTable {
  /** SHA-256 of the cookie's 256-bit token. */
  id_hash: ColumnType<Buffer, Buffer, never>;
  member_id: ColumnType<string, string, never>;
  created_at: ColumnType<Date, Date, never>;
  last_seen_at: Date;
  /** The absolute end of the session, whatever the activity. */
  expires_at: ColumnType<Date, Date, never>;
}

export interface SignInThrottleTable {
  /** SHA-256 of the normalized e-mail tried. */
  account_hash: ColumnType<Buffer, Buffer, never>;
  /** Every failure, from any client: while locked, only the right password with a valid code gets in. */
  failures: number;
  window_started_at: Date;
  locked_until: Date | null;
  /** Wrong codes typed with the right password: when locked, nobody gets in. */
  second_factor_failures: Generated<number>;
  second_factor_window_started_at: Generated<Date>;
  second_factor_locked_until: Date | null;
}

/** Failed sign-ins of one account from one client: locked, that client is refused without a check. */
export interface SignInClientThrottleTable {
  account_hash: ColumnType<Buffer, Buffer, never>;
  /** Keyed hash of the account and the client's address. */
  client_hash: ColumnType<Buffer, Buffer, never>;
  failures: number;
  window_started_at: Date;
  locked_until: Date | null;
}

/** The key mail to the intake addresses is encrypted to; its private half only locked (OpenPGP S2K). */
export interface IntakeKeysTable {
  id: Generated<string>;
  fingerprint: ColumnType<string, string, never>;
  public_key: ColumnType<string, string, never>;
  /** Secret column: read only by intakeKeysForDecryption; null once the key is destroyed. */
  locked_private_key: string | null;
  created_at: CreatedAt;
  retired_at: Date | null;
  /** A retired key keeps decrypting incoming mail until then. */
  decrypt_until: Date | null;
}

export interface MemberMailSettingsTable {
  member_id: ColumnType<string, string, never>;
  /** Opt-in: notifications carry the case's messages, already encrypted to this member. */
  deliver_content: boolean;
  updated_at: Generated<Date>;
}

/** A case's reply address (security+TOKEN@…): only the SHA-256 of the token is stored. */
export interface CaseReplyAddressesTable {
  address_hash: ColumnType<Buffer, Buffer, never>;
  case_id: ColumnType<string, string, never>;
  created_at: CreatedAt;
}

/**
 * How far a member has read a case they may read: only ever read or written for that member. Rows
 * are made and their `news` bits set by the database's triggers (migration 2026-12-01-05).
 */
/** Reader rows per member and (kind, status, assignee), kept by triggers (migration 2026-12-01-11); a count is the sum of its slots. */
export interface CaseReaderCountsTable {
  member_id: ColumnType<string, never, never>;
  case_kind: ColumnType<CaseKind, never, never>;
  case_status: ColumnType<string, never, never>;
  case_assignee_id: ColumnType<string | null, never, never>;
  slot: ColumnType<number, never, never>;
  n: ColumnType<string, never, never>;
}

export interface CaseReadsTable {
  member_id: ColumnType<string, never, never>;
  case_id: ColumnType<string, never, never>;
  seen_message_at: Date | null;
  seen_message_id: string | null;
  opened_at: Date | null;
  news: number;
}

/** A used submission token (the token itself is never stored); see migration 2026-12-01-04. */
export interface SubmissionTokensTable {
  token_hash: ColumnType<Buffer, Buffer, never>;
  case_id: ColumnType<string, string, never>;
  expires_at: ColumnType<Date, Date, never>;
  /** Secret column: a no-JavaScript receipt, sealed, until its confirmation is shown once. */
  sealed_receipt: Buffer | null;
  seal_until: Date | null;
}

/** Hits per limiter and client in the current fixed window (UNLOGGED; shared by every instance). */
export interface RateLimitCountsTable {
  limiter: string;
  /** A keyed hash of the client: never an address. */
  client_hash: Buffer;
  hits: number;
  resets_at: Date;
}

/** A transparency report's note for one period: ciphertext only, addressed to the approvers of the time. */
export interface TransparencyNotesTable {
  /** The period's first month: "2026-01". */
  period_start: string;
  period_months: number;
  body: Buffer;
  /** [{ memberKeyId, packet (base64) }], one per approver key. */
  session_keys: ColumnType<TransparencyNoteKey[], string, string>;
  saved_by: string | null;
  saved_at: Generated<Date>;
}
export interface TransparencyNoteKey {
  memberKeyId: string;
  packet: string;
}

export interface DistributorsTable {
  id: Generated<string>;
  organisation: string;
  email: string;
  fingerprint: string;
  encryption_key_id: string;
  algorithm: string;
  armored: string;
  uid_override: Generated<boolean>;
  accepted_on: Optional<Date | null>;
  policy_version: Optional<string | null>;
  acceptance_recorded_by: Optional<string | null>;
  acceptance_recorded_at: Optional<Date | null>;
  added_by: string | null;
  created_at: CreatedAt;
  updated_at: Generated<Date>;
  removed_at: Optional<Date | null>;
}

export type DistributorSendingKind = 'advance' | 'release';

export interface DistributorSendingsTable {
  id: Generated<string>;
  case_id: string;
  distributor_id: string;
  kind: DistributorSendingKind;
  planned_on: Date;
  fingerprint: string;
  requested_by: string | null;
  requested_at: CreatedAt;
  sent_at: Optional<Date | null>;
  /** The armored message to the distributor's key, only until it is mailed. */
  ciphertext: Optional<string | null>;
  given_up_at: Optional<Date | null>;
}

export interface EmbargoRemindersTable {
  case_id: string;
  embargo_on: Date;
  days_before: number;
  reminded_at: Date;
}

export interface EmbargoLeaksTable {
  id: Generated<string>;
  case_id: string;
  distributor_id: string | null;
  leaked_on: Date;
  message_id: string;
  recorded_by: string | null;
  recorded_at: CreatedAt;
}

/** A legal hold stops a case's deletion; lifted only by a decision (lift-legal-hold). */
export interface CaseLegalHoldsTable {
  id: Generated<string>;
  case_id: string;
  placed_by_member_id: string | null;
  placed_at: Generated<Date>;
  lifted_at: Date | null;
  lifted_by_proposal_id: string | null;
}

/** One row: the member list's changes, counted (migration 2026-12-01-21); a new case's statement checks it. */
export interface MemberListVersionTable {
  one: ColumnType<boolean, never, never>;
  /** int8, as a string. */
  version: ColumnType<string, never, never>;
}

export interface Database {
  app_secrets: AppSecretsTable;
  members: MembersTable;
  invitations: InvitationsTable;
  member_credentials: MemberCredentialsTable;
  recovery_codes: RecoveryCodesTable;
  member_sessions: MemberSessionsTable;
  sign_in_throttle: SignInThrottleTable;
  sign_in_client_throttle: SignInClientThrottleTable;
  member_keys: MemberKeysTable;
  cases: CasesTable;
  case_readers: CaseReadersTable;
  messages: MessagesTable;
  session_keys: SessionKeysTable;
  audit_log: AuditLogTable;
  intake_keys: IntakeKeysTable;
  member_mail_settings: MemberMailSettingsTable;
  case_reply_addresses: CaseReplyAddressesTable;
  case_reads: CaseReadsTable;
  case_reader_counts: CaseReaderCountsTable;
  submission_tokens: SubmissionTokensTable;
  committee_keys: CommitteeKeysTable;
  grant_failures: GrantFailuresTable;
  case_conflicts: CaseConflictsTable;
  proposals: ProposalsTable;
  ballots: BallotsTable;
  liaison_appointments: LiaisonAppointmentsTable;
  case_referrals: CaseReferralsTable;
  rate_limit_counts: RateLimitCountsTable;
  charter_settings: CharterSettingsTable;
  meetings: MeetingsTable;
  meeting_invitees: MeetingInviteesTable;
  meeting_minutes: MeetingMinutesTable;
  cncf_notices: CncfNoticesTable;
  cncf_legal_consultations: CncfLegalConsultationsTable;
  coc_remedies: CocRemediesTable;
  transparency_notes: TransparencyNotesTable;
  distributors: DistributorsTable;
  distributor_sendings: DistributorSendingsTable;
  embargo_reminders: EmbargoRemindersTable;
  embargo_leaks: EmbargoLeaksTable;
  case_legal_holds: CaseLegalHoldsTable;
  srt_members: SrtMembersTable;
  srt_reviews: SrtReviewsTable;
  srt_review_reminders: SrtReviewRemindersTable;
  srt_handovers: SrtHandoversTable;
  member_list_version: MemberListVersionTable;
}

export type Member = Selectable<MembersTable>;
export type NewMember = Insertable<MembersTable>;
export type MemberKey = Selectable<MemberKeysTable>;
export type Case = Selectable<CasesTable>;
