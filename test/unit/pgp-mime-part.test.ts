// The PGP/MIME fast path: the encrypted part of a plain RFC 3156 message, or null for anything else.
import { pgpMimeShape } from '../../server/smtp/pgp-mime-part';

const message = (options: { type?: string; parts?: string[]; closing?: boolean; crlf?: boolean }) => {
  const nl = options.crlf === false ? '\n' : '\r\n';
  const parts = options.parts ?? [
    'Content-Type: application/pgp-encrypted\n\nVersion: 1',
    'Content-Type: application/octet-stream\n\n-----BEGIN PGP MESSAGE-----\n\nabc\n-----END PGP MESSAGE-----',
  ];
  return Buffer.from(
    [
      'From: a@example.net',
      `Content-Type: ${options.type ?? 'multipart/encrypted;\n protocol="application/pgp-encrypted";\n boundary="XyZ"'}`,
      '',
      'preamble',
      ...parts.flatMap((p) => ['--XyZ', ...p.split('\n')]),
      ...(options.closing === false ? [] : ['--XyZ--', 'epilogue']),
    ].join(nl),
    'latin1',
  );
};

test('finds the armored block of a plain two-part PGP/MIME message, with CRLF or LF lines', () => {
  for (const crlf of [true, false]) {
    const shape = pgpMimeShape(message({ crlf }));
    expect(shape?.encrypted.toString()).toMatch(
      /^-----BEGIN PGP MESSAGE-----[\s\S]*abc[\s\S]*-----END PGP MESSAGE-----$/,
    );
    expect(shape?.headers).toContain('From: a@example.net');
  }
});

test('decodes a base64 part', () => {
  const shape = pgpMimeShape(
    message({
      parts: [
        'Content-Type: application/pgp-encrypted\n\nVersion: 1',
        `Content-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n${Buffer.from('binary\u0000data').toString('base64')}`,
      ],
    }),
  );
  expect(shape?.encrypted.toString('latin1')).toBe('binary\u0000data');
});

test('null for other types, protocols, shapes and encodings (the general parser takes those)', () => {
  expect(pgpMimeShape(message({ type: 'multipart/mixed; boundary="XyZ"' }))).toBeNull();
  expect(
    pgpMimeShape(message({ type: 'multipart/encrypted; protocol="application/pkcs7-mime"; boundary="XyZ"' })),
  ).toBeNull();
  expect(pgpMimeShape(message({ parts: ['Content-Type: application/pgp-encrypted\n\nVersion: 1'] }))).toBeNull();
  expect(pgpMimeShape(message({ parts: ['a\n\nb', 'c\n\nd', 'e\n\nf'] }))).toBeNull();
  expect(pgpMimeShape(message({ closing: false }))).toBeNull();
  expect(
    pgpMimeShape(message({ parts: ['x\n\nVersion: 1', 'Content-Transfer-Encoding: quoted-printable\n\nabc'] })),
  ).toBeNull();
  expect(pgpMimeShape(Buffer.from('no header section at all'))).toBeNull();
});
