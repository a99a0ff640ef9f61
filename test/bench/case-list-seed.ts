// The case-list bench's data: N cases spread over a year, with the statuses, assignees, clocks and
// readers the app would have given them, written by a few INSERT … SELECT generate_series statements.
// No messages or session keys: the list reads neither.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/database';
import { createReporterKey } from '../../crypto/reporter-key';

/** Security reports go to the SRT (alice, bob); a CoC report to the approvers but the one it names. */
export const SEED_MEMBERS = [
  { name: 'alice', role: 'srt' },
  { name: 'bob', role: 'srt' },
  { name: 'carol', role: 'approver' },
  { name: 'dave', role: 'approver' },
  { name: 'erin', role: 'approver' },
  { name: 'frank', role: 'approver' },
] as const;

const SECURITY_SHARE = 0.7;

// Status by kind and age: this week's cases are open, older ones mostly closed; needs-info is rare.
type Weights = [status: string, weight: number][];
const STATUS_BY_AGE: Record<'security' | 'coc', { week: Weights; quarter: Weights; older: Weights }> = {
  security: {
    week: [
      ['new', 30],
      ['acknowledged', 25],
      ['assessing', 30],
      ['needs-info', 5],
      ['confirmed', 10],
    ],
    quarter: [
      ['assessing', 8],
      ['needs-info', 2],
      ['confirmed', 10],
      ['fixing', 25],
      ['published', 12],
      ['closed', 21],
      ['duplicate', 7],
      ['not-a-vulnerability', 10],
      ['out-of-scope', 3],
      ['spam', 2],
    ],
    older: [
      ['needs-info', 0.3],
      ['fixing', 1.7],
      ['published', 8],
      ['closed', 55],
      ['duplicate', 8],
      ['not-a-vulnerability', 17],
      ['out-of-scope', 5],
      ['spam', 5],
    ],
  },
  coc: {
    week: [
      ['new', 35],
      ['acknowledged', 35],
      ['investigating', 25],
      ['needs-info', 5],
    ],
    quarter: [
      ['acknowledged', 5],
      ['investigating', 35],
      ['needs-info', 3],
      ['referred', 7],
      ['resolved', 30],
      ['closed', 20],
    ],
    older: [
      ['needs-info', 0.3],
      ['investigating', 1.7],
      ['referred', 5],
      ['resolved', 13],
      ['closed', 80],
    ],
  },
};
/** Statuses that count as triaged (server/cases/workflow.ts) and those that are not yet acknowledged. */
const UNTRIAGED = ['new', 'acknowledged', 'assessing', 'needs-info'];

export interface SeedResult {
  members: Record<string, string>;
  seconds: number;
}

/**
 * Adds the members (no keys: the list needs none) and `count` cases, then VACUUM ANALYZE, as
 * autovacuum would leave a table that has taken this many rows. Deterministic but for the UUIDs.
 */
export async function seedCases(db: Kysely<Database>, count: number): Promise<SeedResult> {
  const started = Date.now();
  // One real reporter key pair, stored on every case, so that the rows are as wide as real ones.
  const reporter = await createReporterKey('bench receipt for the case list', 'fast');
  await db.transaction().execute(async (trx) => {
    await sql`SELECT setseed(0.2026)`.execute(trx);
    await sql`
      INSERT INTO members (name, email, role)
      SELECT name, name || '@example.org', role FROM (VALUES ${sql.join(SEED_MEMBERS.map((m) => sql`(${m.name}, ${m.role})`))}) AS m(name, role)`.execute(
      trx,
    );
    // One row per case with its random draws, kept for the readers' insert (the excluded approver).
    // Rows go in in order of arrival, as the app writes them (it matters to the tables' and indexes' layout).
    await sql`
      CREATE TEMPORARY TABLE seed ON COMMIT DROP AS
      SELECT gen_random_uuid() AS id, i,
             CASE WHEN random() < ${SECURITY_SHARE} THEN 'security' ELSE 'coc' END AS kind,
             date_trunc('milliseconds', now() - random() * interval '365 days') AS created_at,
             random() AS r_status, random() AS r_channel, random() AS r_assignee, random() AS r_ack,
             random() AS r_triage, random() AS r_score, floor(random() * 4)::int AS excluded
      FROM generate_series(1, ${count}) AS i`.execute(trx);
    // Its readers come after it (below), with their copies: the per-case copy trigger would find none.
    await sql`ALTER TABLE cases DISABLE TRIGGER cases_copy_to_new_readers`.execute(trx);
    await sql`
      INSERT INTO cases (id, reference, kind, status, channel, receipt_lookup, reporter_fingerprint, reporter_public_key, reporter_locked_key,
                         created_at, updated_at, assignee_id, expedited, severity_score, severity_rating,
                         acknowledged_at, triaged_at, acknowledge_due_at, triage_due_at)
      SELECT id, reference, kind, status, channel, receipt_lookup, fingerprint, ${reporter.publicKey}, ${reporter.lockedPrivateKey},
             created_at, GREATEST(created_at, acknowledged_at, triaged_at), assignee_id, expedited, score,
             CASE WHEN score IS NULL THEN NULL WHEN score = 0 THEN 'none' WHEN score < 4 THEN 'low' WHEN score < 7 THEN 'medium' WHEN score < 9 THEN 'high' ELSE 'critical' END,
             acknowledged_at, triaged_at, acknowledge_due_at, triage_due_at
      FROM (
        SELECT s.*,
               -- The app's shape (PREFIX-YEAR-XXXX-XXXX, Crockford base32): i times an odd constant modulo
               -- 2^40 is a bijection, so the references are unique and in no order.
               (CASE s.kind WHEN 'security' THEN 'SEC' ELSE 'COC' END) || '-' || extract(year FROM s.created_at) || '-' ||
                 (SELECT string_agg(substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', (((s.i::int8 * 761838257287) % 1099511627776) >> (35 - 5 * k) & 31)::int + 1, 1)
                                    || CASE WHEN k = 3 THEN '-' ELSE '' END, '' ORDER BY k)
                  FROM generate_series(0, 7) AS k) AS reference,
               CASE WHEN s.r_channel < 0.7 THEN 'web' WHEN s.r_channel < 0.9 THEN 'email' ELSE 'web-no-js' END AS channel,
               sha256(('bench-' || s.i)::bytea) AS receipt_lookup,
               upper(encode(substr(sha256(('fpr-' || s.i)::bytea), 1, 20), 'hex')) AS fingerprint,
               CASE WHEN s.status = 'new' THEN NULL
                    WHEN s.kind = 'security' AND s.r_assignee < 0.45 THEN ${memberId('alice')}
                    WHEN s.kind = 'security' AND s.r_assignee < 0.9 THEN ${memberId('bob')}
                    WHEN s.kind = 'coc' AND s.r_assignee < 0.9 THEN (${approverIds()})[1 + (s.excluded + 1 + floor(s.r_assignee / 0.3)::int) % 4]
               END AS assignee_id,
               s.kind = 'security' AND s.r_score < 0.005 AS expedited,
               CASE WHEN s.kind = 'security' AND s.status NOT IN ('new', 'acknowledged', 'assessing', 'needs-info', 'spam')
                    THEN round((s.r_score * 10)::numeric, 1) END AS score,
               CASE WHEN s.status <> 'new' THEN LEAST(now(), s.created_at + s.r_ack * interval '3 days') END AS acknowledged_at,
               CASE WHEN s.status NOT IN (${sql.join(UNTRIAGED)}) THEN LEAST(now(), s.created_at + interval '3 days' + s.r_triage * interval '10 days') END AS triaged_at,
               s.created_at + CASE s.kind WHEN 'security' THEN interval '2 days' ELSE interval '3 days' END AS acknowledge_due_at,
               s.created_at + interval '14 days' AS triage_due_at
        FROM (
          SELECT seed.*, ${statusExpression()} AS status
          FROM seed
        ) AS s
      ) AS c
      ORDER BY created_at`.execute(trx);
    await sql`ALTER TABLE cases ENABLE TRIGGER cases_copy_to_new_readers`.execute(trx);
    // As routing does it: every security case to the SRT; a CoC case to the approvers but one. The
    // reader rows come with their copies of the case (what the per-row copy trigger would write, in
    // one join rather than a locked lookup per row), and their read marks (what the trigger starting
    // them would write, then each reader's reading) in one insert; the counts' trigger runs.
    await sql`ALTER TABLE case_readers DISABLE TRIGGER case_readers_copy_case`.execute(trx);
    await sql`ALTER TABLE case_readers DISABLE TRIGGER case_readers_start_reads`.execute(trx);
    await sql`
      INSERT INTO case_readers (case_id, member_id, granted_at, case_created_at, case_kind, case_status, case_assignee_id, case_clock_due_at)
      SELECT s.id, m.id, s.created_at, c.created_at, c.kind, c.status, c.assignee_id,
             case_clock_due_at(c.acknowledged_at, c.acknowledge_due_at, c.triaged_at, c.triage_due_at)
      FROM seed AS s
      JOIN cases AS c ON c.id = s.id
      JOIN (SELECT id, role, row_number() OVER (PARTITION BY role ORDER BY name) - 1 AS n FROM members) AS m
        ON (s.kind = 'security' AND m.role = 'srt') OR (s.kind = 'coc' AND m.role = 'approver' AND m.n <> s.excluded)
      ORDER BY s.created_at`.execute(trx);
    await sql`ALTER TABLE case_readers ENABLE TRIGGER case_readers_copy_case`.execute(trx);
    await sql`ALTER TABLE case_readers ENABLE TRIGGER case_readers_start_reads`.execute(trx);
    // What each reader has read (issue 8): older cases opened, this week's not yet — news to them.
    // Taken from the reader rows themselves, so their foreign key holds by construction: its check
    // per row (a share lock on each of 2.5 million reader rows) is skipped for this statement.
    await sql`SET LOCAL session_replication_role = replica`.execute(trx);
    await sql`
      INSERT INTO case_reads (member_id, case_id, news, opened_at)
      SELECT r.member_id, r.case_id,
             CASE WHEN r.case_created_at > now() - interval '7 days' THEN 1 ELSE 0 END,
             CASE WHEN r.case_created_at > now() - interval '7 days' THEN NULL ELSE r.case_created_at + interval '1 day' END
      FROM case_readers r
      ORDER BY r.case_created_at`.execute(trx);
    await sql`SET LOCAL session_replication_role = origin`.execute(trx);
  });
  await sql`VACUUM ANALYZE cases, case_readers, case_reads, members`.execute(db);
  const rows = await db.selectFrom('members').select(['id', 'name']).execute();
  return { members: Object.fromEntries(rows.map((r) => [r.name, r.id])), seconds: (Date.now() - started) / 1000 };
}

function memberId(name: string) {
  return sql`(SELECT id FROM members WHERE name = ${name})`;
}

function approverIds() {
  return sql`ARRAY(SELECT id FROM members WHERE role = 'approver' ORDER BY name)`;
}

/** CASE over kind, age (a week, a quarter, older) and the status draw, from STATUS_BY_AGE's weights. */
function statusExpression() {
  const pick = (weights: Weights) => {
    const total = weights.reduce((sum, [, w]) => sum + w, 0);
    let cumulative = 0;
    const arms = weights.slice(0, -1).map(([status, w]) => {
      cumulative += w / total;
      return sql`WHEN r_status < ${sql.lit(cumulative)} THEN ${sql.lit(status)}`;
    });
    return sql`CASE ${sql.join(arms, sql` `)} ELSE ${sql.lit(weights.at(-1)![0])} END`;
  };
  const byAge = (kind: 'security' | 'coc') => {
    const w = STATUS_BY_AGE[kind];
    return sql`CASE WHEN created_at > now() - interval '7 days' THEN ${pick(w.week)}
                    WHEN created_at > now() - interval '90 days' THEN ${pick(w.quarter)}
                    ELSE ${pick(w.older)} END`;
  };
  return sql`CASE kind WHEN 'security' THEN ${byAge('security')} ELSE ${byAge('coc')} END`;
}
