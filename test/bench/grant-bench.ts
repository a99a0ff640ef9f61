// I. A reader's browser grants a case of 1,000 messages to one new reader (issue 10 §1; target < 1 s
// in headless Chromium): the server lists the work (this reader's own packets and the grantee's
// key), the page re-wraps every session key with the reader's unlocked key, and the server checks
// and stores the packets. Curve25519 keys, and RSA-3072 for reference. No body travels or is
// re-encrypted, so the message sizes do not matter.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import { insertMessage } from '../../db/cases.queries';
import { findMemberByEmail, type MemberWithKey } from '../../db/members.queries';
import { readPublicKeys } from '../../crypto/keys';
import { encryptSplit } from '../../crypto/split-message';
import { addCaseReader } from '../../server/governance/access';
import { fulfilGrant, grantTasks } from '../../server/governance/grants';
import { silentCaseEvents } from '../../server/cases/case-events';
import { submitPlaintextReport } from '../../server/intake/reports';
import { launchChromium } from '../helpers/browser';
import { signedIn } from '../helpers/dashboard';
import { fixtureKey, testArgon2Cost, type GoodKeyName } from '../helpers/keys';
import type { BenchDatabase } from './bench-database';
import { ms, table, verdict } from './stats';

export const GRANT_TARGET_MS = 1000;

export interface GrantFigures {
  keys: string;
  messages: number;
  listMs: number;
  browserMs: number;
  storeMs: number;
  requestBytes: number;
}

async function member(db: Kysely<Database>, name: GoodKeyName): Promise<MemberWithKey> {
  return (await findMemberByEmail(db, fixtureKey(name).email))!;
}

/** A security case (to the SRT: alice, bob) of `messages` messages, each encrypted to both. */
async function caseOf(db: Kysely<Database>, messages: number, log: (m: string) => void) {
  const { reference } = await submitPlaintextReport(
    db,
    { kind: 'security', involvedIds: [], document: 'Bench report.', attachments: [] },
    { channel: 'web-no-js', argon2: testArgon2Cost },
  );
  const { id } = await db.selectFrom('cases').select('id').where('reference', '=', reference).executeTakeFirstOrThrow();
  const readers = [await member(db, 'alice'), await member(db, 'bob')];
  const keys = await readPublicKeys(readers.map((r) => r.armoredKey));
  log(`   making a case of ${messages} messages…`);
  for (let i = 1; i < messages; i += 1) {
    const split = await encryptSplit({ data: `Note ${i} of the bench case.`, recipients: keys });
    await insertMessage(db, id, {
      role: 'comment',
      authorMemberId: readers[0]!.id,
      body: split.body,
      sessionKeys: split.sessionKeys.map((k) => {
        const reader = readers.find((r) => r.encryptionKeyId === k.recipientKeyId)!;
        return { recipientFingerprint: reader.fingerprint, memberKeyId: reader.memberKeyId, packet: k.packet };
      }),
    });
  }
  return { id, reference };
}

async function pageServer(): Promise<{ url: string; close(): Promise<void> }> {
  const bundle = await build({
    entryPoints: [require.resolve('./grant-bench-page.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: ['es2020'],
    alias: { openpgp: 'openpgp/lightweight' },
    minify: true,
    logLevel: 'silent',
  });
  const script = Buffer.from(bundle.outputFiles[0]!.contents);
  const server = http.createServer((req, res) => {
    if (req.url === '/bench.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    else res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><script src="/bench.js"></script>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export async function runGrantBench(
  database: BenchDatabase,
  options: { messages: number; log: (m: string) => void },
): Promise<GrantFigures[]> {
  const db = database.handle.db;
  const found = await caseOf(db, options.messages, options.log);
  // carol (Curve25519) and dave (RSA-3072) become readers: each has a pending grant of every message.
  for (const name of ['carol', 'dave'] as const)
    await db.transaction().execute(async (trx) =>
      addCaseReader(trx, found.id, (await member(trx as never, name)).id, 'extended', {
        actorMemberId: null,
        actorLabel: 'system',
      }),
    );
  const page = await pageServer();
  const browser = await launchChromium();
  const figures: GrantFigures[] = [];
  try {
    const tab = await (await browser.newContext()).newPage();
    await tab.goto(page.url);
    for (const [grantor, grantee, label] of [
      ['alice', 'carol', 'Curve25519 → Curve25519'],
      ['bob', 'dave', 'RSA-3072 → RSA-3072'],
    ] as const) {
      const by = signedIn(await member(db, grantor));
      const to = await member(db, grantee);
      let started = performance.now();
      const { grantees } = await grantTasks(db, by, found.reference);
      const listMs = performance.now() - started;
      const task = grantees.find((g) => g.grantee === `member:${to.id}`)!;
      const result = (await tab.evaluate(
        (input) => (window as unknown as { runGrantBench(i: unknown): Promise<unknown> }).runGrantBench(input),
        { privateKey: fixtureKey(grantor).secretKey, task },
      )) as { ms: number; packets: { messageId: string; packet: string }[]; bytes: number };
      started = performance.now();
      let stored = 0;
      for (let i = 0; i < result.packets.length; i += 1000)
        stored += (
          await fulfilGrant(
            db,
            by,
            found.reference,
            { grantee: task.grantee, packets: result.packets.slice(i, i + 1000) },
            silentCaseEvents,
          )
        ).stored;
      const storeMs = performance.now() - started;
      if (stored !== options.messages) throw new Error(`stored ${stored} packets, not ${options.messages}`);
      figures.push({
        keys: label,
        messages: options.messages,
        listMs,
        browserMs: result.ms,
        storeMs,
        requestBytes: result.bytes,
      });
    }
  } finally {
    await browser.close();
    await page.close();
  }
  return figures;
}

export function printGrantReport(figures: GrantFigures[]): void {
  console.log(
    '\nI. A reader’s browser grants a case to one new reader (headless Chromium re-wraps, the server checks and stores)\n',
  );
  console.log(
    table(
      [
        'keys (grantor → grantee)',
        'messages',
        'server lists',
        'browser re-wraps',
        'per message',
        'server stores',
        'total',
        'request',
      ],
      figures.map((f) => [
        f.keys,
        String(f.messages),
        ms(f.listMs),
        ms(f.browserMs),
        ms(f.browserMs / f.messages),
        ms(f.storeMs),
        ms(f.listMs + f.browserMs + f.storeMs),
        `${(f.requestBytes / 1024).toFixed(0)} KiB`,
      ]),
    ),
  );
  const curve = figures[0];
  if (curve) {
    const total = curve.listMs + curve.browserMs + curve.storeMs;
    console.log(
      `\n   Curve25519, ${curve.messages} messages: ${ms(total)} in all (target < ${ms(GRANT_TARGET_MS)})  ${verdict(total < GRANT_TARGET_MS)}`,
    );
  }
}
