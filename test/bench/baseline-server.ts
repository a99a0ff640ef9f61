// Child process: the baseline. A bare express 5 route that parses the same JSON and inserts the
// report text as bytea with a unique key, into the same PostgreSQL, through a pool of the same size.
import type { AddressInfo } from 'node:net';
import express from 'express';
import pg from 'pg';
import { serveChild } from './server-process';

serveChild(async ({ databaseUrl }) => {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
  pool.on('error', () => undefined); // as db/connect.ts: a dropped idle connection must not crash the process
  await pool.query(
    'CREATE TABLE IF NOT EXISTS bench_baseline (id bigserial PRIMARY KEY, key bytea NOT NULL UNIQUE, body bytea NOT NULL, created_at timestamptz NOT NULL DEFAULT now())',
  );

  const app = express();
  app.post('/api/reports', express.json({ limit: '10mb' }), async (req, res) => {
    const body = req.body as { report?: unknown; reporter?: { receiptLookup?: unknown } };
    if (typeof body.report !== 'string' || typeof body.reporter?.receiptLookup !== 'string') {
      res.status(400).json({ error: 'bad body' });
      return;
    }
    const { rows } = await pool.query<{ id: string }>(
      'INSERT INTO bench_baseline (key, body) VALUES ($1, $2) RETURNING id',
      [Buffer.from(body.reporter.receiptLookup, 'hex'), Buffer.from(body.report, 'utf8')],
    );
    res.status(201).json({ reference: `BASE-${rows[0]!.id}`, kind: 'security' });
  });

  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await pool.end();
    },
  };
});
