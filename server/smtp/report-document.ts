// What an e-mail report becomes: a readable document (every header as received, then the text)
// and its files; plus the whole message as `original.eml` when it holds more than that document
// (an HTML body, a signature, MIME parts). All of it is encrypted to the readers by the caller.
import type { CaseKind } from '../../db/database';
import type { MailAttachment, OpenedMail } from './open-mail';
import { safeAttachmentName } from '../intake/attachment-name';
import { KIND_WORDS } from '../cases/case-words';

export interface EnvelopeFacts {
  kind: CaseKind;
  /** MAIL FROM, or null for the null sender <>. */
  sender: string | null;
  recipients: string[];
  receivedAt: Date;
  /** Whether the SMTP session ran under STARTTLS. */
  tls: boolean;
  /** For mail to a case's reply address: the case's reference (the mail is the reporter's answer). */
  replyTo?: string;
}

export interface ReportFromMail {
  document: string;
  attachments: { filename: string; data: Uint8Array }[];
}

const ENCRYPTION_LABELS: Record<OpenedMail['encryption'], string> = {
  none: 'none (the message arrived unencrypted)',
  'pgp-mime': 'PGP/MIME, decrypted on arrival with intake key',
  'inline-pgp': 'inline OpenPGP, decrypted on arrival with intake key',
};

export function reportFromMail(mail: OpenedMail, envelope: EnvelopeFacts): ReportFromMail {
  const keepOriginal = mail.original !== null && !isSingleTextPart(mail);
  const files: MailAttachment[] = mail.attachments;
  const encryption =
    mail.encryption === 'none'
      ? ENCRYPTION_LABELS.none
      : `${ENCRYPTION_LABELS[mail.encryption]} ${mail.decryptedWith.join(', ')} (the ciphertext was not kept)`;

  const summary = [
    envelope.replyTo
      ? `E-mail from the reporter of ${envelope.replyTo}, to its reply address ${envelope.recipients.join(', ')}`
      : `E-mail ${KIND_WORDS[envelope.kind].report} to ${envelope.recipients.join(', ')}`,
    `Received: ${envelope.receivedAt.toISOString()} over SMTP${envelope.tls ? ' with STARTTLS' : ' without TLS'}`,
    `Envelope sender: ${envelope.sender ?? '<> (none)'}`,
    `Encryption: ${encryption}`,
    `Files: ${files.length === 0 ? 'none' : files.map((f) => `${f.filename} (${f.contentType}, ${f.data.length} bytes)`).join('; ')}`,
    ...(keepOriginal ? ['The complete message as sent (decrypted) is attached as original.eml.'] : []),
  ];
  const headers = mail.parsed.headerLines.map((h) => unfold(h.line));
  const document = [
    ...summary,
    '',
    '----- Headers -----',
    ...headers,
    '',
    '----- Message -----',
    mail.text.trim() === '' ? '(no text)' : mail.text,
    '',
  ].join('\n');

  const attachments = files.map((f) => ({ filename: safeAttachmentName(f.filename), data: f.data }));
  if (keepOriginal) attachments.push({ filename: 'original.eml', data: mail.original! });
  return { document, attachments };
}

/** A message that is one text/plain part loses nothing in the document; anything else keeps its original. */
function isSingleTextPart(mail: OpenedMail): boolean {
  const type = mail.parsed.headers.get('content-type') as { value?: string } | undefined;
  return (type?.value ?? 'text/plain') === 'text/plain' && mail.parsed.attachments.length === 0 && !mail.parsed.html;
}

function unfold(line: string): string {
  return line.replace(/\r?\n[ \t]+/g, ' ');
}
