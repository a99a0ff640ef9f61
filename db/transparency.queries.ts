// The transparency report's figures (issue 11 §5), counted over every case whoever may read it:
// only approvers see them, and only for completed periods. And the per-period note (ciphertext).
import { sql, type Kysely, type Transaction } from 'kysely';
import type { CaseChannel, CaseKind, Database, TransparencyNoteKey } from './database';

type Db = Kysely<Database> | Transaction<Database>;

export interface PeriodRange {
  start: Date;
  end: Date;
}

export interface ResponseTime {
  count: number;
  /** Seconds; null when there is nothing to take the median of. */
  medianSeconds: number | null;
}

/** Reports that came in during the period, by kind and channel. */
export async function countReports(
  db: Db,
  range: PeriodRange,
): Promise<{ kind: CaseKind; channel: CaseChannel; count: number }[]> {
  const rows = await db
    .selectFrom('cases')
    .select(['kind', 'channel', (eb) => eb.fn.countAll<string>().as('n')])
    .where('created_at', '>=', range.start)
    .where('created_at', '<', range.end)
    .groupBy(['kind', 'channel'])
    .execute();
  return rows.map((r) => ({ kind: r.kind, channel: r.channel, count: Number(r.n) }));
}

/** Code of Conduct outcomes recorded during the period, by the remedy's kind (what is in the column). */
export async function countResolutions(db: Db, range: PeriodRange): Promise<{ resolution: string; count: number }[]> {
  const rows = await db
    .selectFrom('cases')
    .select(['resolution', (eb) => eb.fn.countAll<string>().as('n')])
    .where('kind', '=', 'coc')
    .where('resolution', 'is not', null)
    .where('resolved_at', '>=', range.start)
    .where('resolved_at', '<', range.end)
    .groupBy('resolution')
    .execute();
  return rows.map((r) => ({ resolution: r.resolution!, count: Number(r.n) }));
}

const median = (from: 'acknowledged_at' | 'resolved_at') =>
  sql<
    number | null
  >`percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM (${sql.ref(from)} - created_at)))`.as('median');

/** From report to acknowledgement, for the cases acknowledged during the period, by kind. */
export async function acknowledgementTimes(db: Db, range: PeriodRange): Promise<Map<CaseKind, ResponseTime>> {
  const rows = await db
    .selectFrom('cases')
    .select(['kind', (eb) => eb.fn.countAll<string>().as('n'), median('acknowledged_at')])
    .where('acknowledged_at', '>=', range.start)
    .where('acknowledged_at', '<', range.end)
    .groupBy('kind')
    .execute();
  return new Map(rows.map((r) => [r.kind, { count: Number(r.n), medianSeconds: toSeconds(r.median) }]));
}

/** From report to recorded resolution, for the Code of Conduct cases resolved during the period. */
export async function resolutionTimes(db: Db, range: PeriodRange): Promise<ResponseTime> {
  const row = await db
    .selectFrom('cases')
    .select([(eb) => eb.fn.countAll<string>().as('n'), median('resolved_at')])
    .where('kind', '=', 'coc')
    .where('resolution', 'is not', null)
    .where('resolved_at', '>=', range.start)
    .where('resolved_at', '<', range.end)
    .executeTakeFirstOrThrow();
  return { count: Number(row.n), medianSeconds: toSeconds(row.median) };
}

/** When the first case came in: the report lists the periods from there. */
export async function earliestCaseAt(db: Db): Promise<Date | null> {
  const row = await db
    .selectFrom('cases')
    .select((eb) => eb.fn.min<Date>('created_at').as('first'))
    .executeTakeFirst();
  return row?.first ?? null;
}

function toSeconds(value: number | string | null): number | null {
  return value === null ? null : Number(value);
}

export interface StoredNote {
  body: Buffer;
  sessionKeys: TransparencyNoteKey[];
  savedBy: string | null;
  savedAt: Date;
}

export async function findTransparencyNote(
  db: Db,
  period: { id: string; months: number },
): Promise<StoredNote | undefined> {
  const row = await db
    .selectFrom('transparency_notes')
    .select(['body', 'session_keys', 'saved_by', 'saved_at'])
    .where('period_start', '=', period.id)
    .where('period_months', '=', period.months)
    .executeTakeFirst();
  return row && { body: row.body, sessionKeys: row.session_keys, savedBy: row.saved_by, savedAt: row.saved_at };
}

/** Saves the period's note, replacing the one before. */
export async function saveTransparencyNote(
  db: Db,
  note: { id: string; months: number; body: Uint8Array; sessionKeys: TransparencyNoteKey[]; savedBy: string; at: Date },
): Promise<void> {
  const values = {
    period_start: note.id,
    period_months: note.months,
    body: Buffer.from(note.body),
    session_keys: JSON.stringify(note.sessionKeys),
    saved_by: note.savedBy,
    saved_at: note.at,
  };
  await db
    .insertInto('transparency_notes')
    .values(values)
    .onConflict((oc) => oc.columns(['period_start', 'period_months']).doUpdateSet(values))
    .execute();
}
