// One received message → one case: open it (decrypt in memory), make the report document, encrypt
// it to the routed readers and store it split, through the same function the no-JavaScript form
// uses. Returns only after the case is committed; refusals are SmtpRefusal with the SMTP answer.
import type { Kysely } from 'kysely';
import type { CaseKind, Database } from '../../db/database';
import { NotForIntakeKeyError } from '../../crypto/intake-decrypt';
import type { Config } from '../config';
import { DomainError } from '../errors';
import type { IntakeKeyring } from '../intake-key/keyring';
import type { AutoReplyFacts } from '../intake/mail-acknowledgement';
import { submitPlaintextReport } from '../intake/reports';
import { autoReplyFacts, openMail, type MailEncryption, type OpenedMail } from './open-mail';
import { isDatabaseUnavailable } from '../../db/errors';
import { SmtpRefusal, tryLater, unusable, wrongKey } from './refusal';
import { receiveReply } from './receive-reply';
import { newReplyAddress } from './reply-address';
import { reportFromMail } from './report-document';

export interface ReceiveMailDeps {
  db: Kysely<Database>;
  config: Config;
  keyring: IntakeKeyring;
}

export interface ReceivedMail {
  raw: Buffer;
  kind: CaseKind;
  sender: string | null;
  recipients: string[];
  tls: boolean;
  receivedAt: Date;
  /** The token of the case reply address it was sent to (see reply-address.ts), or null for a new report. */
  replyToken: string | null;
}

/** The outcome, as plain values (it crosses from a worker thread): the case, and what the acknowledgement needs. */
export interface StoredMailReport {
  reference: string;
  caseId: string;
  /** The readers a new case was stored with (none for a reply): the main thread tells them. */
  readerIds: string[];
  /** True when the mail was a reporter's answer stored on an existing case (no new case, no receipt). */
  threaded: boolean;
  receipt: string | null;
  /** The new case's reply address for the acknowledgement's Reply-To; null if none could be made. */
  replyAddress: string | null;
  encryption: MailEncryption;
  messageId: string | undefined;
  headers: AutoReplyFacts;
  senderKeys: (string | Uint8Array)[];
}

export async function receiveMail(deps: ReceiveMailDeps, mail: ReceivedMail): Promise<StoredMailReport> {
  // Notices a rotation or the end of a grace period (checked at most every 30 s; the stored keys serve meanwhile).
  await deps.keyring.refresh().catch(() => undefined);
  if (mail.replyToken !== null)
    return receiveReply(deps, { ...mail, replyToken: mail.replyToken }, (raw) => open(deps, raw, mail.kind));
  const opened = await open(deps, mail.raw, mail.kind);
  const report = reportFromMail(opened, {
    kind: mail.kind,
    sender: mail.sender,
    recipients: mail.recipients,
    receivedAt: mail.receivedAt,
    tls: mail.tls,
  });
  let caseId = '';
  let readerIds: string[] = [];
  // Stored with the case, in its statement: the acknowledgement's Reply-To, at no extra commit.
  const reply = newReplyAddress(mail.recipients[0]!);
  try {
    const stored = await submitPlaintextReport(
      deps.db,
      { kind: mail.kind, involvedIds: [], document: report.document, attachments: report.attachments },
      // The case id comes back through this hook; the caller tells the real CaseEvents (in the main thread).
      {
        channel: 'email',
        reporterKeyLock: 'fast',
        targets: deps.config,
        events: {
          caseStored: async (id, readers) => {
            caseId = id;
            readerIds = [...(readers ?? [])];
          },
        },
        replyAddressHash: reply.tokenHash,
      },
    );
    return {
      reference: stored.reference,
      caseId,
      readerIds,
      threaded: false,
      receipt: stored.receipt,
      replyAddress: reply.address,
      encryption: opened.encryption,
      messageId: opened.parsed.messageId,
      headers: autoReplyFacts(opened.parsed),
      senderKeys: opened.senderKeys,
    };
  } catch (error) {
    if (error instanceof DomainError && error.kind === 'not-configured') {
      // Nobody to route to yet (no members): keep the message at the sender until there is.
      throw tryLater('Nobody can receive these reports yet.', error);
    }
    if (error instanceof DomainError) throw unusable(error.message, error);
    if (isDatabaseUnavailable(error)) throw tryLater('The report store is unavailable.', error);
    // Anything unexpected: temporary, so that the report is retried rather than lost.
    throw tryLater('The report could not be stored.', error);
  }
}

/** Opens the mail; if it names a key we do not have, looks once for a key rotated in meanwhile. */
async function open(deps: ReceiveMailDeps, raw: Buffer, kind: CaseKind): Promise<OpenedMail> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await openMail(raw, deps.keyring.decryptionKeys());
    } catch (error) {
      if (!(error instanceof NotForIntakeKeyError)) {
        if (error instanceof SmtpRefusal) throw error;
        if (isDatabaseUnavailable(error)) throw tryLater('The report store is unavailable.', error);
        throw unusable('The message could not be read.', error);
      }
      if (attempt === 0 && error.recipientKeyIds.length > 0) {
        await deps.keyring.refresh(true).catch(() => undefined);
        continue;
      }
      throw wrongKey(error.message, {
        fingerprint: deps.keyring.current().fingerprint,
        publicUrl: deps.config.publicUrl,
        address: deps.config.mail.addresses[kind][0]!,
      });
    }
  }
}
