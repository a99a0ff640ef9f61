// The plaintext inside an encrypted PGP/MIME mail (RFC 3156): a text/plain entity, UTF-8, base64,
// with the subject repeated inside ("protected headers"), since the outer one travels in the clear.
// No Buffer: the browser builds the same entity before it encrypts it.

export function plainTextEntity(text: string, subject: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  const body = btoa(binary).replace(/.{76}/g, '$&\r\n');
  return [
    'Content-Type: text/plain; charset=utf-8; protected-headers="v1"',
    `Subject: ${subject.replace(/[\r\n]+/g, ' ')}`,
    'Content-Transfer-Encoding: base64',
    '',
    body,
    '',
  ].join('\r\n');
}
