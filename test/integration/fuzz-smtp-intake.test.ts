// A bounded fuzz of the SMTP intake over real sockets, the intake in a process of its own: hostile
// MIME (broken boundaries, deep nesting, huge headers, NUL bytes, invalid UTF-8, prototype-named
// headers and parameters, bogus or truncated armor), floods of recipients and commands out of
// order, to new-report addresses and to a case's reply address. Counted, and all must be zero:
// answers that are not a clean 250 or refusal (a 451 "local error" with the database up, a
// dropped connection, a stack trace), process exits, and rows left by refused mail.
// The sequence is seeded (FUZZ_SEED) and so replayable; FUZZ_MAILS sets its length.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { countCaseRows, createTestDatabase, type TestDatabase } from '../helpers/db';
import { createGnupgHome } from '../helpers/gnupg';
import { hostileCommands, hostileMail, seededRandom } from '../helpers/hostile-mail';
import { addFixtureMember } from '../helpers/keys';
import { CONDUCT, SECURITY, startSmtpSink, type SmtpSink } from '../helpers/mail-scenario';
import { connectSmtp, type SmtpReply } from '../helpers/smtp-socket';

const SEED = Number(process.env.FUZZ_SEED ?? 20261201);
const MAILS = Number(process.env.FUZZ_MAILS ?? 150);
const COMMAND_RUNS = 40;
/** security@ and conduct@, and one reply address: what one transaction may address. */
const RECIPIENT_CAP = 3;
const STACK_TRACE = /\n\s+at |\bat [\w.<>]+ \(.*:\d+:\d+\)|node_modules|\.ts:\d+/;

let database: TestDatabase;
let sink: SmtpSink;
let child: ChildProcess;
let exits: (number | string)[] = [];
let port = 0;
let armoredForIntake = '';
const childLog: string[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  await addFixtureMember(database.db, 'alice', 'srt');
  await addFixtureMember(database.db, 'bob', 'srt');
  await addFixtureMember(database.db, 'carol', 'approver');
  sink = await startSmtpSink();
  child = spawn(process.execPath, ['-r', 'tsx/cjs', path.join(__dirname, '..', 'helpers', 'intake-child.ts')], {
    env: { ...process.env, INTAKE_CHILD_DATABASE_URL: database.url, INTAKE_CHILD_RELAY: sink.url },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.on('exit', (code, signal) => exits.push(code ?? signal ?? 'unknown'));
  child.stderr!.on('data', (chunk: Buffer) => childLog.push(chunk.toString()));
  const started = await new Promise<{ port: number; armored: string; fingerprint: string }>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]!));
    });
    child.once('exit', () => reject(new Error(`the intake child stopped while starting:\n${childLog.join('')}`)));
  });
  port = started.port;
  const gpg = await createGnupgHome();
  try {
    await gpg.importKey(started.armored);
    armoredForIntake = await gpg.encrypt('Content-Type: text/plain\r\n\r\nan encrypted report, to be damaged\r\n', [
      started.fingerprint,
    ]);
  } finally {
    await gpg.destroy();
  }
}, 120_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await gone;
  }
  await sink?.stop();
  await database?.destroy();
});

/** One transaction: EHLO, MAIL, RCPT, DATA and the bytes (dot-stuffed); the final answer, or null if the connection dropped. */
async function deliver(to: string, raw: Buffer): Promise<SmtpReply | null> {
  const client = await connectSmtp(port);
  try {
    await client.command('EHLO fuzz.example.net');
    await client.command('MAIL FROM:<fuzz@example.net>');
    const rcpt = await client.command(`RCPT TO:<${to}>`);
    if (rcpt.code !== 250) return rcpt;
    const go = await client.command('DATA');
    if (go.code !== 354) return go;
    const stuffed = Buffer.from(raw.toString('latin1').replace(/(^|\r\n)\./g, '$1..'), 'latin1');
    client.write(
      Buffer.concat([
        stuffed,
        Buffer.from(stuffed.length === 0 || stuffed.toString('latin1').endsWith('\r\n') ? '.\r\n' : '\r\n.\r\n'),
      ]),
    );
    return (await client.replies(1, 30_000))[0]!;
  } catch {
    return null;
  } finally {
    client.close();
  }
}

async function replyAddressOf(reference: string): Promise<string> {
  for (const until = Date.now() + 20_000; Date.now() < until; await new Promise((r) => setTimeout(r, 100))) {
    for (const message of sink.messages) {
      const parsed = await simpleParser(message.raw);
      if (parsed.subject?.endsWith(reference) && parsed.replyTo) return parsed.replyTo.value[0]!.address!;
    }
  }
  throw new Error(`no acknowledgement for ${reference}`);
}

test('hostile mail and commands: no unexpected answer, no exit, no wedge, no row from a refused mail', async () => {
  const random = seededRandom(SEED);
  const first = await deliver(
    SECURITY,
    Buffer.from('From: fuzz@example.net\r\nSubject: the case replies go to\r\n\r\nfirst\r\n'),
  );
  expect(first?.code).toBe(250);
  const replyCase = /Report received as (\S+)/.exec(first!.text)![1]!;
  const replyAddress = await replyAddressOf(replyCase);
  const accepted = new Set([replyCase]);
  let threaded = 0;
  const unexpected: { kind: string; to: string; answer: string }[] = [];
  const outcomes = new Map<string, number>();

  for (let i = 0; i < MAILS; i++) {
    const { kind, raw } = hostileMail(random, armoredForIntake);
    const to = [SECURITY, CONDUCT, replyAddress][i % 3]!;
    const answer = await deliver(to, raw);
    const text = answer?.text ?? '(connection dropped)';
    outcomes.set(
      `${kind} → ${answer?.code ?? 'dropped'}`,
      (outcomes.get(`${kind} → ${answer?.code ?? 'dropped'}`) ?? 0) + 1,
    );
    if (!answer || ![250, 550, 552, 554].includes(answer.code) || STACK_TRACE.test(text))
      unexpected.push({ kind, to, answer: text.slice(0, 200) });
    if (answer?.code === 250) {
      const reference = /Report received as (\S+)/.exec(text)?.[1];
      if (reference) accepted.add(reference);
      else if (text.includes(`added to ${replyCase}`)) threaded += 1;
      else unexpected.push({ kind, to, answer: text });
    }
  }

  for (let i = 0; i < COMMAND_RUNS; i++) {
    const client = await connectSmtp(port);
    try {
      let recipients = 0;
      for (const line of hostileCommands(random, pickAddress(i))) {
        if (client.closed) break;
        if (/^(MAIL|RSET|EHLO|HELO)/i.test(line)) recipients = 0;
        client.write(`${line}\r\n`);
        const replies = await client.replies(1, 15_000).catch(() => []);
        for (const reply of replies) {
          if (reply.code === 451 || STACK_TRACE.test(reply.text))
            unexpected.push({ kind: 'commands', to: line.slice(0, 60), answer: reply.text.slice(0, 200) });
          if (/^RCPT/i.test(line) && reply.code === 250 && ++recipients > RECIPIENT_CAP)
            unexpected.push({ kind: 'recipients', to: line.slice(0, 60), answer: `${recipients} accepted` });
        }
      }
    } finally {
      client.close();
    }
  }

  process.stdout.write(
    `fuzz-smtp-intake seed ${SEED}: ${[...outcomes]
      .sort()
      .map(([k, n]) => `${k}: ${n}`)
      .join('; ')}\n`,
  );
  expect(unexpected).toEqual([]);
  expect(exits).toEqual([]);
  // Not wedged: a plain report still goes through.
  const last = await deliver(SECURITY, Buffer.from('Subject: still there\r\n\r\nafter the fuzz\r\n'));
  expect(last?.code).toBe(250);
  accepted.add(/Report received as (\S+)/.exec(last!.text)![1]!);

  // Rows: exactly the cases that were answered 250, one reply address each, and the reporter's
  // messages on the reply case exactly the replies answered 250.
  const cases = await database.db.selectFrom('cases').select(['id', 'reference']).execute();
  expect(new Set(cases.map((c) => c.reference))).toEqual(accepted);
  expect((await countCaseRows(database.db)).cases).toBe(accepted.size);
  const replyRows = await database.db.selectFrom('case_reply_addresses').select('case_id').execute();
  expect(replyRows).toHaveLength(accepted.size);
  const target = cases.find((c) => c.reference === replyCase)!;
  const replies = await database.db
    .selectFrom('messages')
    .select('id')
    .where('case_id', '=', target.id)
    .where('role', '=', 'reporter-reply')
    .execute();
  expect(replies).toHaveLength(threaded);
  const orphans = await database.db
    .selectFrom('messages')
    .leftJoin('session_keys', 'session_keys.message_id', 'messages.id')
    .select('messages.id')
    .where('session_keys.message_id', 'is', null)
    .execute();
  expect(orphans).toEqual([]);
  expect(childLog.join('')).not.toMatch(/uncaught|unhandled/i);
}, 240_000);

function pickAddress(i: number): string {
  return i % 2 === 0 ? SECURITY : CONDUCT;
}
