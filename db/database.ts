import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

/** Set by the database when a row is made, never changed afterwards. */
type CreatedAt = ColumnType<Date, never, never>;

export type MemberRole = 'approver' | 'srt' | 'liaison';
export type CaseKind = 'security' | 'coc';
export type CaseChannel = 'web' | 'web-no-js' | 'email';
export type MessageRole = 'report' | 'attachment' | 'comment' | 'reply' | 'reporter-reply';

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

export interface CaseCountersTable {
  kind: CaseKind;
  year: number;
  last: number;
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
  /** The reporter's private key, encrypted under the receipt (OpenPGP S2K). */
  reporter_locked_key: string;
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
}

export interface CaseReadersTable {
  case_id: string;
  member_id: string;
  granted_at: CreatedAt;
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
}

export interface AppSecretsTable {
  name: string;
  value: string;
  created_at: CreatedAt;
}

export interface Database {
  app_secrets: AppSecretsTable;
  members: MembersTable;
  member_keys: MemberKeysTable;
  case_counters: CaseCountersTable;
  cases: CasesTable;
  case_readers: CaseReadersTable;
  messages: MessagesTable;
  session_keys: SessionKeysTable;
}

export type Member = Selectable<MembersTable>;
export type NewMember = Insertable<MembersTable>;
export type MemberKey = Selectable<MemberKeysTable>;
export type Case = Selectable<CasesTable>;
