// Mail to a case's reply address → one reporter's message on that case: opened (decrypted in
// memory) and checked exactly as intake mail is, encrypted to the case's current readers and the
// reporter key, stored through the one function every message to an existing case goes through.
import { readPublicKey } from '../../crypto/keys';
import { isWellFormedReceipt, receiptLookupHash } from '../../crypto/receipt';
import { encryptMessage } from '../../crypto/split-message';
import type { ReplyAddressCase } from '../../db/reply-addresses.queries';
import { caseRecipients, storeCaseMessage } from '../cases/case-messages';
import { DomainError } from '../errors';
import { autoReplyFacts, type OpenedMail } from './open-mail';
import type { ReceivedMail, ReceiveMailDeps, StoredMailReport } from './receive-mail';
import { caseForReplyToken } from './reply-address';
import { isDatabaseUnavailable } from '../../db/errors';
import { SmtpRefusal, tryLater, unusable } from './refusal';
import { reportFromMail } from './report-document';

const ORIGINAL = 'original.eml';
const ORIGINAL_KEPT = 'The complete message as sent (decrypted) is attached as original.eml.';
const ORIGINAL_DROPPED = "The complete message was not kept: it quoted the reporter's receipt, which is removed here.";

/** Stores the mail on the case its reply address names; `open` is the intake's own opening (decryption, MIME checks). */
export async function receiveReply(
  deps: ReceiveMailDeps,
  mail: ReceivedMail & { replyToken: string },
  open: (raw: Buffer) => Promise<OpenedMail>,
): Promise<StoredMailReport> {
  const found = await caseForReplyToken(deps.db, mail.replyToken, deps.config.mail.replyDaysAfterClose).catch(
    (error: unknown) => {
      throw tryLater('The case could not be looked up.', error);
    },
  );
  if (!found) throw new SmtpRefusal(550, 'This reply address no longer takes mail. Nothing was stored.');
  const opened = await open(mail.raw);
  const report = reportFromMail(opened, {
    kind: found.kind,
    sender: mail.sender,
    recipients: mail.recipients,
    receivedAt: mail.receivedAt,
    tls: mail.tls,
    replyTo: found.reference,
  });
  const receipts = await quotedReceipts(report.document, found);
  const secrets = [mail.replyToken, ...receipts];
  // The original may quote the receipt in an encoding we cannot redact in place: then it goes.
  const files =
    receipts.length === 0 ? report.attachments : report.attachments.filter((file) => file.filename !== ORIGINAL);
  const document = receipts.length === 0 ? report.document : report.document.replace(ORIGINAL_KEPT, ORIGINAL_DROPPED);
  try {
    const readers = await caseRecipients(deps.db, found.caseId);
    const reporterKey = await readPublicKey(found.reporterPublicKey);
    const recipients = [...readers.map((r) => r.publicKey), reporterKey];
    const message = await encryptMessage({ data: redact(document, secrets), recipients });
    const attachments = [];
    for (const file of files) {
      const data =
        file.filename === ORIGINAL
          ? Buffer.from(redact(Buffer.from(file.data).toString('latin1'), secrets), 'latin1')
          : file.data;
      attachments.push(await encryptMessage({ data, filename: file.filename, recipients }));
    }
    const target = {
      id: found.caseId,
      reporterFingerprint: found.reporterFingerprint,
      reporterPublicKey: found.reporterPublicKey,
    };
    await storeCaseMessage(deps.db, target, {
      role: 'reporter-reply',
      authorMemberId: null,
      message,
      withReporter: true,
      attachments,
    });
  } catch (error) {
    // The readers changed while it was encrypted (a recusal, a new key): the sending server retries.
    if (error instanceof DomainError && error.kind === 'bad-input')
      throw tryLater('The case changed while the message was being stored.', error);
    if (error instanceof DomainError) throw unusable(error.message, error);
    if (isDatabaseUnavailable(error)) throw tryLater('The report store is unavailable.', error);
    throw tryLater('The message could not be stored.', error);
  }
  return {
    reference: found.reference,
    caseId: found.caseId,
    readerIds: [],
    threaded: true,
    receipt: null,
    replyAddress: null,
    encryption: opened.encryption,
    messageId: opened.parsed.messageId,
    headers: autoReplyFacts(opened.parsed),
    senderKeys: [],
  };
}

/**
 * The case's receipt where the reply quotes it back (a reply to the acknowledgement quotes it, and
 * the readers must not get the reporter's receipt): found among runs of eight words, each checked
 * against the case's receipt hash, since the receipt itself is not stored.
 */
async function quotedReceipts(text: string, found: ReplyAddressCase): Promise<string[]> {
  const hits: string[] = [];
  for (const line of text.split('\n')) {
    const words = [...line.matchAll(/[a-z]+/gi)];
    for (let i = 0; i + 8 <= words.length && hits.length < 10; i++) {
      const run = line.slice(words[i]!.index, words[i + 7]!.index! + words[i + 7]![0].length);
      if (!/^[a-z]+(?:[\s\-_.,>]+[a-z]+){7}$/i.test(run) || !isWellFormedReceipt(run.replace(/>/g, ' '))) continue;
      const hash = Buffer.from(await receiptLookupHash(run.replace(/>/g, ' ')));
      if (hash.equals(found.receiptLookup)) hits.push(run);
    }
  }
  return hits;
}

/** The text with each secret (letters, separators) replaced, whatever its case. */
function redact(text: string, secrets: string[]): string {
  let out = text;
  for (const secret of secrets) {
    const pattern = new RegExp(
      secret.replace(/[^a-z0-9]/gi, (c) => `\\${c}`),
      'gi',
    );
    out = out.replace(pattern, secret.includes(' ') ? '[receipt removed]' : '…');
  }
  return out;
}
