// Hostile input for the SMTP intake, drawn from a seeded PRNG so that a failure can be replayed:
// broken MIME, deep nesting, huge headers, NUL bytes, invalid UTF-8, prototype-named header and
// parameter names, bogus or truncated OpenPGP armor, random damage to a good message.

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const PROTOTYPE_NAMES = [
  'constructor',
  '__proto__',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'isPrototypeOf',
  'prototype',
  '__defineGetter__',
];

type Random = () => number;
const pick = <T>(random: Random, list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
const int = (random: Random, max: number) => Math.floor(random() * max);

function randomBytes(random: Random, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) out[i] = int(random, 256);
  return out;
}

/** One hostile message (header section, blank line, body), as bytes. */
export function hostileMail(random: Random, armoredForIntake: string): { kind: string; raw: Buffer } {
  const proto = () => pick(random, PROTOTYPE_NAMES);
  const kinds: Record<string, () => string | Buffer> = {
    'prototype headers': () =>
      `${proto()}: x\r\n${proto()}: y\r\nSubject: ${proto()}\r\nFrom: a@example.net\r\n\r\nbody\r\n`,
    'prototype params': () =>
      `Content-Type: multipart/mixed; boundary=b; ${proto()}=1; ${proto()}="2"\r\n\r\n--b\r\nContent-Type: text/plain; ${proto()}=x; charset=${proto()}\r\n` +
      `Content-Disposition: attachment; ${proto()}=y; filename=${proto()}; ${proto()}*0=a; ${proto()}*1*=utf-8''b%41\r\n\r\nfile\r\n--b--\r\n`,
    'prototype encrypted params': () =>
      `Content-Type: multipart/encrypted; protocol="application/pgp-encrypted"; ${proto()}=x; boundary=b\r\n\r\n--b\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n\r\n--b\r\nContent-Type: application/octet-stream; ${proto()}=1\r\n\r\n${armoredForIntake.slice(0, int(random, armoredForIntake.length))}\r\n--b--\r\n`,
    'autocrypt prototype': () =>
      `Autocrypt: addr=a@example.net; ${proto()}=x; keydata=${randomBytes(random, 40).toString('base64')}\r\n${proto()}: z\r\n\r\nbody\r\n`,
    'broken boundary': () =>
      `Content-Type: multipart/${pick(random, ['mixed', 'alternative', 'encrypted', 'signed', 'related'])}; boundary=${pick(random, ['""', '"', 'b', '-', '--b--', ''])}\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nunfinished${random() < 0.5 ? '\r\n--b' : ''}\r\n`,
    'deep nesting': () => {
      const depth = 50 + int(random, 400);
      let text = '';
      for (let i = 0; i < depth; i++) text += `Content-Type: multipart/mixed; boundary=b${i}\r\n\r\n--b${i}\r\n`;
      return `${text}Content-Type: text/plain\r\n\r\ninnermost\r\n`;
    },
    'huge header': () => `Subject: ${'x'.repeat(200_000 + int(random, 600_000))}\r\n\r\nbody\r\n`,
    'many headers': () =>
      `${Array.from({ length: 2_000 + int(random, 8_000) }, (_, i) => `X-H${i}: ${i}`).join('\r\n')}\r\n\r\nbody\r\n`,
    'many parts': () =>
      `Content-Type: multipart/mixed; boundary=p\r\n\r\n${Array.from({ length: 101 + int(random, 300) }, () => '--p\r\nContent-Type: application/octet-stream\r\n\r\nx\r\n').join('')}--p--\r\n`,
    'nul bytes': () =>
      Buffer.concat([Buffer.from('Subject: nul\r\n\r\nbefore'), Buffer.from([0]), Buffer.from('after\r\n')]),
    'invalid utf-8': () =>
      Buffer.concat([
        Buffer.from('Subject: '),
        Buffer.from([0xc3, 0x28, 0xff, 0xfe]),
        Buffer.from('\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n'),
        Buffer.from([0xe2, 0x82, 0xed, 0xa0, 0x80, 0xf8]),
        Buffer.from('\r\n'),
      ]),
    'encoded garbage': () =>
      `Subject: =?utf-8?B?${randomBytes(random, 30).toString('base64')}?=\r\nContent-Type: text/plain; charset=${pick(random, ['utf-8', 'x-unknown', 'utf-16', 'iso-2022-jp'])}\r\nContent-Transfer-Encoding: ${pick(random, ['base64', 'quoted-printable', 'x-uuencode', 'binary'])}\r\n\r\n${randomBytes(random, 200).toString('latin1')}\r\n`,
    'bogus armor': () =>
      `Subject: pgp\r\n\r\n-----BEGIN PGP MESSAGE-----\r\n\r\n${randomBytes(random, 120).toString('base64')}\r\n=${randomBytes(random, 3).toString('base64')}\r\n-----END PGP MESSAGE-----\r\n`,
    'truncated armor': () =>
      `Subject: pgp\r\n\r\n${armoredForIntake.slice(0, 40 + int(random, armoredForIntake.length - 40))}\r\n-----END PGP MESSAGE-----\r\n`,
    'damaged pgp/mime': () => {
      const armored = Buffer.from(armoredForIntake);
      for (let i = 0; i < 3; i++) armored[60 + int(random, armored.length - 100)] = 0x41 + int(random, 26);
      return `Content-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary=e\r\n\r\n--e\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n\r\n--e\r\nContent-Type: application/octet-stream\r\n\r\n${armored.toString()}\r\n--e--\r\n`;
    },
    'binary pgp attachment': () =>
      `Content-Type: multipart/mixed; boundary=q\r\n\r\n--q\r\nContent-Type: text/plain\r\n\r\nsee file\r\n--q\r\nContent-Type: application/octet-stream; name=x.gpg\r\nContent-Disposition: attachment; filename=x.gpg\r\nContent-Transfer-Encoding: base64\r\n\r\n${Buffer.concat([Buffer.from([0x85, 0x01]), randomBytes(random, 300)]).toString('base64')}\r\n--q--\r\n`,
    's/mime': () =>
      'Content-Type: application/pkcs7-mime; smime-type=enveloped-data\r\nContent-Transfer-Encoding: base64\r\n\r\nMIAGCSqGSIb3DQEHA6CAMIACAQAxggE=\r\n',
    'random damage': () => {
      const good = Buffer.from(
        `From: a@example.net\r\nSubject: fine\r\nContent-Type: multipart/mixed; boundary=z\r\n\r\n--z\r\nContent-Type: text/plain\r\n\r\nhello\r\n--z\r\nContent-Type: text/html\r\n\r\n<p>hi</p>\r\n--z--\r\n`,
      );
      for (let i = 0, n = 1 + int(random, 12); i < n; i++) good[int(random, good.length)] = int(random, 256);
      return good;
    },
    empty: () => pick(random, ['', '\r\n', ' \r\n\r\n']),
    'headers only': () => `Subject: ${proto()}\r\n${proto()}: 1`,
  };
  const kind = pick(random, Object.keys(kinds));
  const made = kinds[kind]!();
  return { kind, raw: typeof made === 'string' ? Buffer.from(made, 'latin1') : made };
}

/** A command sequence out of the SMTP order, or malformed, or a flood: each line is sent as it is. */
export function hostileCommands(random: Random, intakeAddress: string): string[] {
  const proto = () => pick(random, PROTOTYPE_NAMES);
  const sequences: (() => string[])[] = [
    () => ['DATA', 'RCPT TO:<' + intakeAddress + '>', 'MAIL FROM:<a@example.net>', 'DATA', '.'],
    () => ['EHLO x', 'RCPT TO:<' + intakeAddress + '>', 'DATA', 'BDAT 10 LAST', 'STARTTLS', 'AUTH PLAIN AGFAYg=='],
    () => [
      'EHLO x',
      `MAIL FROM:<${proto()}@example.net> ${proto()}=1 SIZE=${proto()}`,
      `RCPT TO:<${intakeAddress}> NOTIFY=${proto()} ORCPT=${proto()}`,
      'RSET',
      'NOOP',
      `VRFY ${proto()}`,
      `${proto()} ${proto()}`,
    ],
    () => [
      'EHLO x',
      'MAIL FROM:<>',
      ...Array.from(
        { length: 150 + int(random, 500) },
        (_, i) => `RCPT TO:<${random() < 0.5 ? intakeAddress : `x${i}+${proto()}@intake.test`}>`,
      ),
      'RSET',
    ],
    () => [
      'EHLO x',
      'MAIL FROM:<a@example.net>',
      `RCPT TO:<${intakeAddress.replace('@', `+${proto()}@`)}>`,
      `RCPT TO:<security+${'a'.repeat(26)}@intake.test>`,
      `RCPT TO:<${'z'.repeat(5000)}@intake.test>`,
    ],
    () => [
      'EHLO ' + 'h'.repeat(3000),
      'HELO',
      'MAIL FROM:',
      'MAIL FROM:<<>>',
      'RCPT TO:<@intake.test>',
      'RCPT TO:<a@b@c>',
      'QUIT',
    ],
    () => [
      'EHLO x',
      'MAIL FROM:<a@example.net>',
      'MAIL FROM:<b@example.net>',
      'XCLIENT ADDR=1.2.3.4',
      'XFORWARD NAME=x',
      'HELP',
      'ETRN x',
      'TURN',
    ],
  ];
  return pick(random, sequences)();
}
