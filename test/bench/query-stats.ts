// In a server child: counts the SQL statements the server sends and the time each takes as the server
// sees it (round trip, lock waits included; waiting for a pooled connection excluded), by statement.
import pg from 'pg';

export interface QueryStats {
  statements: number;
  milliseconds: number;
  /** Per statement shape (its first words), for the ones that cost the most. */
  byStatement: Record<string, { count: number; milliseconds: number }>;
}

const stats: QueryStats = { statements: 0, milliseconds: 0, byStatement: {} };

/** Wraps pg's Client#query once per process (kysely and plain pg both end there). */
export function installQueryStats(): () => QueryStats {
  const prototype = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = prototype.query;
  prototype.query = function (this: unknown, ...args: unknown[]) {
    const started = process.hrtime.bigint();
    const shape = statementShape(args[0]);
    const done = () => record(shape, Number(process.hrtime.bigint() - started) / 1e6);
    const callback = args.at(-1);
    if (typeof callback === 'function') {
      // pg.Pool#query passes a callback and gets no promise back.
      args[args.length - 1] = (...results: unknown[]) => {
        done();
        return callback(...results);
      };
      return original.apply(this, args);
    }
    const result = original.apply(this, args);
    if (result instanceof Promise) result.then(done, done);
    return result;
  };
  return () => structuredClone(stats);
}

function record(shape: string, ms: number): void {
  stats.statements++;
  stats.milliseconds += ms;
  const entry = (stats.byStatement[shape] ??= { count: 0, milliseconds: 0 });
  entry.count++;
  entry.milliseconds += ms;
}

const shapes = new Map<string, string>();

/** `insert into "cases"`, `select … from "members"`, `select pg_advisory_xact_lock`, `begin`… (cached: kysely repeats its SQL). */
function statementShape(query: unknown): string {
  const sql = typeof query === 'string' ? query : String((query as { text?: unknown })?.text ?? '?');
  let shape = shapes.get(sql);
  if (shape === undefined) {
    shape = shapeOf(sql);
    if (shapes.size < 1000) shapes.set(sql, shape);
  }
  return shape;
}

function shapeOf(sql: string): string {
  // A leading comment (db/prepared-statements.ts marks statements so) is not the statement's shape.
  const text = sql
    .replace(/^\s*\/\*.*?\*\//, '')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
  const from = /^select .*? from ("?[\w.]+"?)/.exec(text);
  if (from && !text.startsWith('select pg_')) return `select … from ${from[1]}`;
  return text.replace(/\(.*$/, '').split(' ').slice(0, 3).join(' ').slice(0, 40);
}

/** Per-request figures between two snapshots: statements, milliseconds, and the costliest shapes. */
export function queryStatsPerRequest(
  before: QueryStats,
  after: QueryStats,
  requests: number,
): { statements: number; milliseconds: number; top: string } {
  const shapes = Object.entries(after.byStatement).map(([shape, a]) => {
    const b = before.byStatement[shape] ?? { count: 0, milliseconds: 0 };
    return { shape, count: (a.count - b.count) / requests, ms: (a.milliseconds - b.milliseconds) / requests };
  });
  return {
    statements: (after.statements - before.statements) / requests,
    milliseconds: (after.milliseconds - before.milliseconds) / requests,
    top: shapes
      .filter((s) => s.count > 0)
      .sort((x, y) => y.ms - x.ms)
      .slice(0, 4)
      .map((s) => `${s.shape} ×${s.count.toFixed(1)} ${s.ms.toFixed(2)} ms`)
      .join('; '),
  };
}
