// Generated hostile requests over every public route, from a seeded PRNG: the same seed gives the
// same requests. Shapes: prototype names as keys, NUL bytes, broken Unicode and UTF-8, huge and
// deeply nested JSON, wrong content types, broken multipart, duplicate fields, lists for strings.
import { gzipSync } from 'node:zlib';
import { PROTOTYPE_NAMES, seededRandom, type RawRequest } from './hostile-input';

export interface FuzzContext {
  /** A valid anonymous CSRF pair (cookie header and token), as a real form carries them. */
  csrf: { cookie: string; token: string };
  /** A valid body for POST /api/reports, to mutate. */
  encryptedReport: Record<string, unknown>;
  /** An existing case reference and a token-shaped string, for paths. */
  reference: string;
}

export interface FuzzCase extends RawRequest {
  /** The route as a pattern, for the report of failures. */
  route: string;
}

type Random = () => number;

const FORM_ROUTES: [string, string[]][] = [
  [
    '/report',
    [
      'kind',
      'body',
      'component',
      'version',
      'impact',
      'credit',
      'contact',
      'involved',
      'when',
      'where',
      'people',
      'witnesses',
    ],
  ],
  ['/signin', ['email', 'password', 'code', 'next']],
  ['/followup', ['receipt', 'answer']],
  ['/followup/reply', ['receipt', 'answer']],
  ['/signout', []],
  ['/signout/everywhere', []],
  ['/invite/password', ['password', 'confirmation']],
  ['/invite/authenticator', ['code']],
  ['/dashboard/cases/:reference/status', ['to', 'duplicateOf', 'resolution']],
  ['/dashboard/cases/:reference/severity', ['vector', 'cwe', 'affectedVersions']],
  ['/dashboard/cases/:reference/assign', ['assignee']],
];

const JSON_ROUTES = [
  '/api/reports',
  '/api/followup/:lookup/replies',
  '/api/dashboard/key',
  '/api/dashboard/cases/:reference/messages',
];

const GET_ROUTES = [
  '/',
  '/report',
  '/report?kind=security',
  '/report?kind=coc',
  '/api/approvers',
  '/api/recipients?kind=security',
  '/api/recipients?kind=coc&involved=x',
  '/followup',
  '/api/followup/:lookup',
  '/signin',
  '/signin?next=/dashboard',
  '/invite',
  '/invite/:token',
  '/account',
  '/.well-known/security.txt',
  '/security.txt',
  '/intake-key.asc',
  '/.well-known/openpgpkey/policy',
  '/.well-known/openpgpkey/hu/:token',
  '/.well-known/openpgpkey/example.org/hu/:token',
  '/security-policy',
  '/assets/report.js',
  '/assets/style.css',
  '/assets/:token',
  '/favicon.ico',
  '/healthz',
  '/dashboard',
  '/dashboard/key',
  '/dashboard/cases/:reference',
  '/dashboard/cases/:reference/messages/:token.asc',
  '/api/dashboard/cases/:reference/messages',
  '/api/dashboard/cases/:reference/recipients?role=reply',
  '/nowhere',
];

export function fuzzCases(seed: number, count: number, context: FuzzContext): FuzzCase[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => {
    const roll = random();
    if (roll < 0.4) return formCase(random, context);
    if (roll < 0.65) return jsonCase(random, context);
    return getCase(random, context);
  });
}

/** Percent-encodes the UTF-8 of a text, even one encodeURIComponent refuses (a lone surrogate). */
function percentEncode(text: string): string {
  return [...Buffer.from(text, 'utf8')]
    .map((byte) =>
      /[A-Za-z0-9_.~-]/.test(String.fromCharCode(byte))
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).padStart(2, '0')}`,
    )
    .join('');
}

const pick = <T>(random: Random, list: readonly T[]): T => list[Math.floor(random() * list.length)]!;

/** A text a client might send where a string belongs. */
function hostileText(random: Random): string {
  return pick(random, [
    () => '',
    () => 'plain',
    () => `a\u0000b`,
    () => '\u0000',
    () => 'x\uD800y',
    () => '\uDFFF',
    () => pick(random, PROTOTYPE_NAMES),
    () => 'x'.repeat(1 + Math.floor(random() * 300_000)),
    () => '%00%FF%E0%A4%A',
    () => '<script>alert(1)</script>',
    () => '../../../../etc/passwd',
    () => 'security',
    () => 'coc',
    () => 'ab'.repeat(32),
    () => 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\u0000',
    () => '😀'.repeat(50),
  ])();
}

/** A JSON value where a string belongs: a list, a number, an object with prototype keys, … */
function hostileValue(random: Random, depth = 0): unknown {
  return pick(random, [
    () => hostileText(random),
    () => [hostileText(random)],
    () => random() * 1e20,
    () => null,
    () => true,
    () => ({}),
    () => Object.fromEntries(PROTOTYPE_NAMES.map((name) => [name, depth < 3 ? hostileValue(random, depth + 1) : 'x'])),
    () => deepList(1 + Math.floor(random() * 3000)),
  ])();
}

function deepList(depth: number): unknown {
  let value: unknown = 'deep';
  for (let i = 0; i < depth; i += 1) value = [value];
  return value;
}

function fillPath(random: Random, route: string, context: FuzzContext): string {
  const segment = () =>
    pick(random, [
      context.reference,
      'SEC-2026-0001',
      '%00',
      '%FF',
      '%E0%A4%A',
      '..%2f..%2f',
      'x'.repeat(4000),
      ...PROTOTYPE_NAMES,
      'ab'.repeat(32),
      'A'.repeat(43),
    ]);
  return route.replace(/:\w+/g, () => segment());
}

function hostileQuery(random: Random): string {
  const pairs = Array.from({ length: Math.floor(random() * 5) }, () => {
    const key = pick(random, [
      ...PROTOTYPE_NAMES,
      'kind',
      'involved',
      'next',
      'role',
      'status',
      'after',
      'sort',
      'kind[]',
      'kind[__proto__]',
      'signed-out',
    ]);
    // Sometimes percent-escapes that decode to NUL or to bytes that are not UTF-8, as they stand.
    return `${percentEncode(key)}=${random() < 0.2 ? '%00%FF%C3%28' : percentEncode(hostileText(random).slice(0, 2000))}`;
  });
  return pairs.length ? pairs.join('&') : '';
}

/** Headers every kind of case may carry: prototype-named ones, hostile cookies, a forwarded address. */
function hostileHeaders(random: Random, context: FuzzContext, withCsrfCookie: boolean): [string, string][] {
  const headers: [string, string][] = [];
  const cookies = withCsrfCookie ? [context.csrf.cookie] : [];
  if (random() < 0.4)
    cookies.push(
      `${pick(random, PROTOTYPE_NAMES)}=x`,
      `intake.session=${pick(random, ['j:{"a":1}', 'j:[1]', 'A'.repeat(43), '%00', 'x'])}`,
    );
  if (random() < 0.2)
    cookies.push(
      `intake.csrf=${pick(random, ['j:{}', 'j:1', '', 'x|y'])}`,
      `intake.invite=${pick(random, ['j:null', 'A'.repeat(43)])}`,
    );
  if (cookies.length) headers.push(['Cookie', cookies.join('; ')]);
  if (random() < 0.3) headers.push([pick(random, PROTOTYPE_NAMES), 'x']);
  if (random() < 0.2) headers.push(['X-CSRF-Token', pick(random, [context.csrf.token, 'x', '', 'a, b'])]);
  // A distinct client per request, so that the rate limits let the inputs reach the routes.
  const address =
    random() < 0.95
      ? `10.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}`
      : pick(random, ['garbage', '::ffff:1.2.3.4', '1.2.3.4, 5.6.7.8', '', '999.1.1.1']);
  headers.push(['X-Forwarded-For', address]);
  if (random() < 0.1) headers.push(['Accept', pick(random, ['application/json', '*/*;q=x', 'text/html;;', ''])]);
  return headers;
}

function formCase(random: Random, context: FuzzContext): FuzzCase {
  const [route, fields] = pick(random, FORM_ROUTES);
  // A valid token costs the follow-up routes a receipt check (Argon2): rarely there.
  const validCsrf = random() < (route.startsWith('/followup') ? 0.04 : 0.5);
  const entries: [string, string][] = fields
    .filter(() => random() < 0.8)
    .map((name) => [name, random() < 0.5 ? hostileText(random) : 'security']);
  if (validCsrf) entries.push(['_csrf', context.csrf.token]);
  for (let i = Math.floor(random() * 4); i > 0; i -= 1)
    entries.push([pick(random, [...PROTOTYPE_NAMES, ...fields, '_csrf']), hostileText(random)]);
  if (random() < 0.3 && entries.length) entries.push(pick(random, entries)); // a field sent twice
  const headers = hostileHeaders(random, context, validCsrf);
  const target = fillPath(random, route, context) + (random() < 0.2 ? `?${hostileQuery(random)}` : '');
  const encoding = random();
  let body: Buffer;
  if (encoding < 0.45) {
    headers.push([
      'Content-Type',
      pick(random, [
        'application/x-www-form-urlencoded',
        'application/x-www-form-urlencoded; charset=utf-8',
        'application/x-www-form-urlencoded; charset=latin1',
        'application/x-www-form-urlencoded; charset=bogus',
      ]),
    ]);
    const text = entries.map(([n, v]) => `${percentEncode(n)}=${percentEncode(v)}`).join('&');
    body =
      random() < 0.2
        ? Buffer.concat([Buffer.from(text), Buffer.from([0x26, 0x78, 0x3d, 0xff, 0xfe, 0xc0, 0x80])])
        : Buffer.from(text);
  } else if (encoding < 0.8) {
    const boundary = random() < 0.9 ? `fuzz${Math.floor(random() * 1e9)}` : '';
    headers.push([
      'Content-Type',
      random() < 0.9
        ? `multipart/form-data; boundary=${boundary}`
        : pick(random, ['multipart/form-data', 'multipart/form-data; boundary=', 'multipart/mixed; boundary=x']),
    ]);
    body = multipartBody(random, boundary, entries);
  } else if (encoding < 0.9) {
    headers.push(['Content-Type', 'application/json']);
    body = Buffer.from(JSON.stringify(Object.fromEntries(entries)));
  } else {
    headers.push([
      'Content-Type',
      pick(random, [
        'text/plain',
        'application/octet-stream',
        '*/*',
        'garbage',
        'application/x-www-form-urlencoded; charset="',
      ]),
    ]);
    body = Buffer.from(entries.map(([n, v]) => `${n}=${v}`).join('&'));
  }
  if (random() < 0.05) {
    headers.push(['Content-Encoding', pick(random, ['gzip', 'deflate', 'br', 'bogus'])]);
    body = random() < 0.5 ? gzipSync(body) : body;
  }
  return { route, method: 'POST', target, headers, body };
}

function multipartBody(random: Random, boundary: string, entries: [string, string][]): Buffer {
  const parts: Buffer[] = entries.map(([name, value]) =>
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${random() < 0.9 ? name : `${name}\u0000"`}"\r\n\r\n${value}\r\n`,
    ),
  );
  if (random() < 0.3) {
    const filename = pick(random, ['a.txt', '../../x', 'nul\u0000.txt', '', 'x'.repeat(2000)]);
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="attachments"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
      ),
    );
    parts.push(Buffer.alloc(Math.floor(random() * 100_000), 0xff), Buffer.from('\r\n'));
  }
  if (random() < 0.1) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: garbage\r\n\r\nx\r\n`));
  if (random() < 0.1) parts.push(Buffer.from(`--${boundary}\r\n${'X-Long: '.padEnd(100_000, 'y')}\r\n\r\nx\r\n`));
  // Broken: cut off mid-part, or never closed.
  const end = random() < 0.8 ? `--${boundary}--\r\n` : pick(random, ['', `--${boundary}`, '--wrong--\r\n']);
  const whole = Buffer.concat([...parts, Buffer.from(end)]);
  return random() < 0.1 ? whole.subarray(0, Math.floor(whole.length * random())) : whole;
}

function jsonCase(random: Random, context: FuzzContext): FuzzCase {
  const route = pick(random, JSON_ROUTES);
  const target = fillPath(random, route, context);
  const headers = hostileHeaders(random, context, random() < 0.3);
  const kind = random();
  let body: Buffer;
  if (kind < 0.5) {
    const mutated = structuredClone(context.encryptedReport) as Record<string, unknown>;
    const keys = ['kind', 'involved', 'reporter', 'report', 'attachments', 'message', 'publicKey', 'role'];
    for (let i = 1 + Math.floor(random() * 3); i > 0; i -= 1) mutated[pick(random, keys)] = hostileValue(random);
    if (random() < 0.5)
      mutated.reporter = {
        ...(mutated.reporter as object),
        [pick(random, ['publicKey', 'lockedPrivateKey', 'receiptLookup'])]: hostileValue(random),
      };
    const text = JSON.stringify(mutated);
    body = Buffer.from(random() < 0.3 ? `{"__proto__":${JSON.stringify(hostileValue(random))},${text.slice(1)}` : text);
  } else if (kind < 0.65) {
    const depth = 1000 + Math.floor(random() * 200_000);
    body = Buffer.from(`${'['.repeat(depth)}${']'.repeat(random() < 0.5 ? depth : 3)}`);
  } else if (kind < 0.75) {
    body = Buffer.from(JSON.stringify({ report: 'x'.repeat(1 + Math.floor(random() * 3_000_000)), kind: 'security' }));
  } else if (kind < 0.85) {
    body = Buffer.from(
      pick(random, [
        '{"kind":',
        '',
        'null',
        '"str"',
        '[1,2',
        '{"a":"\\ud800"}',
        '{"a":"\\u0000"}',
        '{"kind":"security"}{}',
        '\u0000',
      ]),
    );
  } else {
    body = Buffer.concat([
      Buffer.from('{"kind":"security","report":"'),
      Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80]),
      Buffer.from('"}'),
    ]);
  }
  headers.push([
    'Content-Type',
    pick(random, [
      'application/json',
      'application/json; charset=utf-8',
      'application/json; charset=utf-16',
      'application/json; charset=bogus',
      'text/json',
      'application/x-www-form-urlencoded',
      'application/json;;;',
    ]),
  ]);
  return { route, method: 'POST', target, headers, body };
}

function getCase(random: Random, context: FuzzContext): FuzzCase {
  const route = pick(random, GET_ROUTES);
  let target = fillPath(random, route, context);
  if (random() < 0.5) target += `${target.includes('?') ? '&' : '?'}${hostileQuery(random)}`;
  const method = random() < 0.85 ? 'GET' : pick(random, ['HEAD', 'OPTIONS', 'DELETE', 'PUT', 'PATCH', 'TRACE']);
  const headers = hostileHeaders(random, context, random() < 0.5);
  if (random() < 0.1) headers.push(['If-None-Match', pick(random, ['*', '"x"', 'W/"y"', ''])]);
  return { route, method, target, headers };
}
