// RFC 3156 PGP/MIME structures for mail we send: the encrypted content is made elsewhere (crypto/);
// this only wraps already-armored OpenPGP messages in the MIME shape mail programs recognise.
import MimeNode from 'nodemailer/lib/mime-node';

/**
 * A multipart/encrypted entity (control part + armored message), to nest in a notification as
 * one of its parts. Mail programs that read PGP/MIME decrypt it; others show `filename`.
 */
export async function pgpMimePart(armored: string, filename: string): Promise<string> {
  const node = encryptedNode(armored, filename);
  return (await node.build()).toString('utf8');
}

/**
 * A whole PGP/MIME message (RFC 3156 §4): its headers in the clear, its body only the encrypted
 * entity. Used for the acknowledgement when the reporter gave us a key.
 */
export async function pgpMimeMessage(options: {
  from: string;
  to: string;
  subject: string;
  armored: string;
  headers?: Record<string, string>;
}): Promise<string> {
  const node = encryptedNode(options.armored, 'encrypted.asc');
  node.setHeader({
    From: options.from,
    To: options.to,
    Subject: options.subject,
    Date: new Date().toUTCString(),
    ...options.headers,
  });
  return (await node.build()).toString('utf8');
}

/**
 * The plaintext MIME entity that goes inside an encrypted message: text/plain, UTF-8, base64, with
 * the subject repeated inside ("protected headers") since the outer one is in the clear.
 */
function encryptedNode(armored: string, filename: string): MimeNode {
  const root = new MimeNode('multipart/encrypted; protocol="application/pgp-encrypted"');
  root
    .createChild('application/pgp-encrypted')
    .setHeader('Content-Description', 'PGP/MIME version identification')
    .setHeader('Content-Transfer-Encoding', '7bit')
    .setContent('Version: 1\r\n');
  root
    .createChild('application/octet-stream; name="' + filename.replace(/["\\\r\n]/g, '') + '"')
    .setHeader('Content-Description', 'OpenPGP encrypted message')
    .setHeader('Content-Disposition', `inline; filename="${filename.replace(/["\\\r\n]/g, '')}"`)
    .setHeader('Content-Transfer-Encoding', '7bit')
    .setContent(armored);
  return root;
}
