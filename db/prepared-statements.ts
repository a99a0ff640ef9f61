// Statements that each connection prepares once (PostgreSQL parses and plans them once) and then
// only executes, for the hot paths. Opt-in, by the statement's first words: every other statement
// stays unnamed, so that the many shapes of dynamic queries never pile up as prepared statements.
import crypto from 'node:crypto';
import type pg from 'pg';

/**
 * The start of a statement that each connection prepares once and then only executes: for the
 * statements on the hot paths (a new case), where PostgreSQL's parsing and planning of a long
 * statement cost more than a tenth of a millisecond every time. Statements are named by their
 * text, so a statement's shapes (one per number of readers, say) are each prepared once.
 */
export const PREPARED = '/* prepared */';

export function preparesMarkedStatements(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  // kysely calls query(text, values); everything else passes through untouched.
  (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    const [text, values] = args;
    if (typeof text === 'string' && text.startsWith(PREPARED) && Array.isArray(values) && args.length === 2)
      return query({ name: statementName(text), text, values });
    return query(...args);
  };
}

function statementName(text: string): string {
  return `intake_${crypto.createHash('sha256').update(text).digest('hex').slice(0, 40)}`;
}
