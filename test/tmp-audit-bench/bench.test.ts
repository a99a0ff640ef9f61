import { sql } from 'kysely';
import { verifyAuditChain } from '../../server/audit';
import { canonicalJson, hashAuditRow } from '../../server/audit-chain';
import { createTestDatabase } from '../helpers/db';

test('verify 1e6 rows', async () => {
  const t = await createTestDatabase();
  try {
    const N = 1_000_000;
    let prev: Buffer | null = null;
    const base = Date.parse('2026-01-01T00:00:00Z');
    let t0 = Date.now();
    for (let start = 1; start <= N; start += 5000) {
      const ids: string[] = [], cases: (string|null)[] = [], details: string[] = [], created: string[] = [], prevs: (Buffer|null)[] = [], hashes: Buffer[] = [];
      for (let id = start; id < start + 5000 && id <= N; id++) {
        const createdAt = new Date(base + id).toISOString().replace('Z', '000Z');
        const d = { reference: `SEC-2026-${id}`, from: 'new', to: 'acknowledged' };
        const row = { id: String(id), caseId: null, actorMemberId: null, actorLabel: 'system', action: 'case.status-changed', details: d, createdAt, prevHash: prev };
        const hash = hashAuditRow(row);
        ids.push(String(id)); cases.push(null); details.push(canonicalJson(d)); created.push(createdAt); prevs.push(prev); hashes.push(hash);
        prev = hash;
      }
      await sql`INSERT INTO audit_log (id, actor_label, action, details, created_at, prev_hash, hash)
        SELECT * FROM unnest(${ids}::bigint[], array_fill('system'::text, ARRAY[${ids.length}::int]), array_fill('case.status-changed'::text, ARRAY[${ids.length}::int]), ${details}::jsonb[], ${created}::timestamptz[], ${prevs}::bytea[], ${hashes}::bytea[])`.execute(t.db);
    }
    console.log('insert ms', Date.now() - t0);
    const m0 = process.memoryUsage().heapUsed;
    t0 = Date.now();
    const result = await verifyAuditChain(t.db);
    console.log('verify ms', Date.now() - t0, JSON.stringify(result), 'heap delta MB', (process.memoryUsage().heapUsed - m0) / 1e6);
    expect(result.ok).toBe(true);
  } finally { await t.destroy(); }
}, 900_000);
