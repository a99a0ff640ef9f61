import type { Kysely } from 'kysely';
import type { CaseChannel, CaseKind, Database, MessageRole } from '../../db/database';
import type { NewMessage } from '../../db/cases.queries';
import { insertCaseWithMessages, ReceiptInUseError, RecipientsChangedError } from '../../db/new-case.queries';
import { findSubmission, SubmissionTokenUsedError, type NewSubmissionToken } from '../../db/submission-tokens.queries';
import { InvalidKeyError } from '../../crypto/errors';
import { ChecksBusyError, checkSubmissionOffThread } from '../../crypto/submission-check-pool';
import { MessageRefusedError } from '../../crypto/submission-checks';
import type { SplitMessage } from '../../crypto/split-message';
import { encryptSplitNatively } from '../../crypto/native-split';
import { createReporterKey, type ReporterKey, type ReporterKeyLock } from '../../crypto/reporter-key';
import { createFastReporterKeyNatively } from '../../crypto/reporter-key-native';
import type { CaseEvents } from '../cases/case-events';

/** Who hears of a stored report; and, when a majority of the approvers is named, of the referral the system proposes. */
type IntakeEvents = Pick<CaseEvents, 'caseStored'> & Partial<Pick<CaseEvents, 'decisionChanged'>>;
import { newCaseReference } from '../cases/case-reference';
import { generateReceipt, receiptLookupHash } from '../../crypto/receipt';
import type { Argon2Cost } from '../../crypto/openpgp-config';
import { keyIdsOf } from '../../crypto/keys';
import { DomainError, badInput, conflict } from '../errors';
import { routeReport } from '../governance/routing';
import { proposeReferralIfMajority } from '../governance/conflicts';
import { DEFAULT_TARGETS, dueDates, type ResponseTargets } from '../cases/clocks';
import { recentRecipients, type Recipient } from './recipients';
import { responseTargets } from '../governance/charter';
import { TEXT_LIMITS, checkText } from '../text-checks';
import { addressSessionKeys } from './message-addressing';

export const CHECKS_BUSY =
  'Many reports are arriving right now. Please send yours again in a minute; nothing was stored.';

export interface SubmittedCase {
  reference: string;
  kind: CaseKind;
}

/** A form's one-time token, already verified (server/intake/submission-tokens.ts): one case per token. */
export interface SubmissionToken {
  hash: Uint8Array;
  expiresAt: Date;
}

/** The token of this submission made a case already: a reload, a double click, a resubmitted form. */
export class AlreadySubmittedError extends DomainError {
  constructor(readonly earlier: SubmittedCase & { receiptLookup: Uint8Array; receiptWaiting: boolean }) {
    super(
      'conflict',
      `This report was already received: its reference is ${earlier.reference}. It was stored once; nothing was sent again.`,
    );
    this.name = 'AlreadySubmittedError';
  }
}

/** Refuses, before any work, a token that made a case already. */
async function refuseUsedToken(db: Kysely<Database>, token: SubmissionToken | undefined): Promise<void> {
  const earlier = token && (await findSubmission(db, token.hash));
  if (earlier) throw new AlreadySubmittedError(earlier);
}

/** What a client that encrypts for itself (the page's bundle, a CLI, an integration) submits. */
export interface EncryptedReport {
  kind: CaseKind;
  involvedIds: string[];
  reporterPublicKey: string;
  reporterLockedKey: string;
  /** Hex SHA-256 lookup hash of the receipt (crypto/receipt.ts); the receipt itself never comes here. */
  receiptLookup: string;
  /** The report and each attachment: OpenPGP messages, binary or armored. */
  report: Uint8Array | string;
  attachments: (Uint8Array | string)[];
  /** An idempotency token: a retry of the same report with it gets the same reference, a different one is refused. */
  submission?: SubmissionToken;
}

/**
 * Accepts a report encrypted by the client: checks that it is a well-formed OpenPGP message
 * addressed to exactly the people the governance routes it to (and the reporter's own key),
 * and stores it split. The server never sees its plaintext. With a submission token, a retry of
 * the same report (same receipt) answers with the case the first attempt made.
 */
export async function submitEncryptedReport(
  db: Kysely<Database>,
  input: EncryptedReport,
  channel: CaseChannel = 'web',
  targets: ResponseTargets = DEFAULT_TARGETS,
  events?: IntakeEvents,
): Promise<SubmittedCase> {
  // Stored as sent (the receipt's lock must stay byte for byte what the browser made).
  checkText(input.reporterPublicKey, 'reporter.publicKey', TEXT_LIMITS.reporterKey);
  checkText(input.reporterLockedKey, 'reporter.lockedPrivateKey', TEXT_LIMITS.reporterKey);
  try {
    await refuseUsedToken(db, input.submission);
    try {
      return await checkAndStoreEncrypted(db, input, channel, targets, events, false);
    } catch (error) {
      // Checked against a member list a moment old: before refusing, check against the current one.
      if (!(error instanceof RecipientsChangedError) && !(error instanceof DomainError && error.kind === 'bad-input'))
        throw error;
      return await checkAndStoreEncrypted(db, input, channel, targets, events, true);
    }
  } catch (error) {
    if (
      error instanceof AlreadySubmittedError &&
      Buffer.from(error.earlier.receiptLookup).toString('hex') === input.receiptLookup.toLowerCase()
    ) {
      return { reference: error.earlier.reference, kind: error.earlier.kind };
    }
    throw error;
  }
}

async function checkAndStoreEncrypted(
  db: Kysely<Database>,
  input: EncryptedReport,
  channel: CaseChannel,
  targets: ResponseTargets,
  events: IntakeEvents | undefined,
  freshRecipients: boolean,
): Promise<SubmittedCase> {
  const readers = await routedReaders(db, input.kind, input.involvedIds, freshRecipients);
  if (!/^[0-9a-f]{64}$/i.test(input.receiptLookup))
    throw badInput('receiptLookup must be a hex SHA-256 digest (64 hex digits).');
  let checked: Awaited<ReturnType<typeof checkSubmissionOffThread>>;
  try {
    checked = await checkSubmissionOffThread({
      reporterPublicKey: input.reporterPublicKey,
      reporterLockedKey: input.reporterLockedKey,
      messages: [input.report, ...input.attachments],
    });
  } catch (error) {
    if (error instanceof InvalidKeyError) throw badInput(error.message, error);
    if (error instanceof MessageRefusedError) {
      const what = error.index === 0 ? 'The report' : `Attachment ${error.index}`;
      throw badInput(`${what} is not a usable OpenPGP message: ${error.message}`, error);
    }
    if (error instanceof ChecksBusyError) throw new DomainError('rate-limited', CHECKS_BUSY, { cause: error });
    throw error;
  }
  const { reporter } = checked;
  const messages = checked.splits.map((split, index) => ({
    role: (index === 0 ? 'report' : 'attachment') as MessageRole,
    split,
  }));

  return storeCase(db, {
    kind: input.kind,
    channel,
    readers,
    involvedIds: input.involvedIds,
    reporter: { ...reporter, publicKey: input.reporterPublicKey, lockedKey: input.reporterLockedKey },
    receiptLookup: Buffer.from(input.receiptLookup, 'hex'),
    messages,
    targets,
    events,
    submission: input.submission && {
      tokenHash: input.submission.hash,
      expiresAt: input.submission.expiresAt,
      sealedReceipt: null,
      sealUntil: null,
    },
  });
}

/** A report as the server receives it in plaintext (the no-JavaScript form): encrypted here, in memory. */
export interface PlaintextReport {
  kind: CaseKind;
  involvedIds: string[];
  document: string;
  attachments: { filename: string; data: Uint8Array }[];
}

/**
 * Encrypts a plaintext report in memory to its routed readers and a new reporter key, stores it
 * split, and returns the receipt, which exists only in this return value. The caller shows it once
 * and drops it, as it drops the plaintext.
 */
export async function submitPlaintextReport(
  db: Kysely<Database>,
  input: PlaintextReport,
  options: {
    channel: CaseChannel;
    argon2?: Argon2Cost;
    targets?: ResponseTargets;
    /** 'fast' for the e-mail intake (see ReporterKeyLock); Argon2 otherwise. */
    reporterKeyLock?: ReporterKeyLock;
    /** Told after the case commits (outbound mail); never fails the submission. */
    events?: IntakeEvents;
    /** The form's token; the receipt waits sealed with it (see submission-tokens.ts) until shown once. */
    submission?: SubmissionToken & { sealReceipt: (receipt: string) => Uint8Array; sealUntil: Date };
    /** The e-mail intake's reply address for the case (its token's hash), stored with it. */
    replyAddressHash?: Uint8Array;
  },
): Promise<SubmittedCase & { receipt: string }> {
  await refuseUsedToken(db, options.submission);
  const receipt = generateReceipt();
  const lock = options.reporterKeyLock ?? options.argon2;
  const reporterKey =
    lock === 'fast' ? await createFastReporterKeyNatively(receipt) : await createReporterKey(receipt, lock);
  const encryptAndStore = (freshRecipients: boolean) =>
    encryptAndStorePlaintext(db, input, options, { receipt, reporterKey }, freshRecipients);
  try {
    return await encryptAndStore(false);
  } catch (error) {
    // The member list changed since it was read (the insert checks its version): route again from the current one.
    if (!(error instanceof RecipientsChangedError)) throw error;
    return await encryptAndStore(true);
  }
}

async function encryptAndStorePlaintext(
  db: Kysely<Database>,
  input: PlaintextReport,
  options: Parameters<typeof submitPlaintextReport>[2],
  { receipt, reporterKey }: { receipt: string; reporterKey: ReporterKey },
  freshRecipients: boolean,
): Promise<SubmittedCase & { receipt: string }> {
  const readers = await routedReaders(db, input.kind, input.involvedIds, freshRecipients);
  const reporterPublic = reporterKey.parsedPublicKey;
  const recipients = [...readers.map((r) => r.publicKey), reporterPublic];

  const messages: { role: MessageRole; split: SplitMessage }[] = [
    { role: 'report', split: await encryptSplitNatively({ data: input.document, recipients }) },
  ];
  for (const attachment of input.attachments) {
    messages.push({
      role: 'attachment',
      split: await encryptSplitNatively({ data: attachment.data, filename: attachment.filename, recipients }),
    });
  }

  const stored = await storeCase(db, {
    kind: input.kind,
    channel: options.channel,
    readers,
    involvedIds: input.involvedIds,
    reporter: {
      fingerprint: reporterKey.fingerprint,
      keyIds: keyIdsOf(reporterPublic),
      publicKey: reporterKey.publicKey,
      lockedKey: reporterKey.lockedPrivateKey,
    },
    receiptLookup: await receiptLookupHash(receipt),
    messages,
    targets: options.targets ?? DEFAULT_TARGETS,
    events: options.events,
    submission: options.submission && {
      tokenHash: options.submission.hash,
      expiresAt: options.submission.expiresAt,
      sealedReceipt: options.submission.sealReceipt(receipt),
      sealUntil: options.submission.sealUntil,
    },
    replyAddressHash: options.replyAddressHash,
  });
  return { ...stored, receipt };
}

/** The members a new report of this kind goes to, with their keys (from a list at most seconds old unless `fresh`). */
export async function routedReaders(
  db: Kysely<Database>,
  kind: CaseKind,
  involvedIds: string[],
  fresh = false,
): Promise<Recipient[]> {
  const members = await recentRecipients(db, fresh);
  const routed = new Set(routeReport(kind, members, involvedIds).map((m) => m.id));
  return members.filter((m) => routed.has(m.id));
}

interface CaseToStore {
  kind: CaseKind;
  channel: CaseChannel;
  readers: Recipient[];
  /** CoC: the approvers the reporter named as involved (hard conflicts from the start). */
  involvedIds: string[];
  reporter: { fingerprint: string; keyIds: Set<string>; publicKey: string; lockedKey: string };
  receiptLookup: Uint8Array;
  messages: { role: MessageRole; split: SplitMessage }[];
  targets: ResponseTargets;
  events?: IntakeEvents;
  submission?: NewSubmissionToken;
  replyAddressHash?: Uint8Array;
}

/** The one place both channels store a case: same shape whoever encrypted it. */
async function storeCase(db: Kysely<Database>, value: CaseToStore): Promise<SubmittedCase> {
  const rows: NewMessage[] = value.messages.map(({ role, split }, index) => ({
    role,
    authorMemberId: null,
    body: split.body,
    sessionKeys: addressSessionKeys(
      split,
      value.readers,
      value.reporter,
      index === 0 ? 'The report' : `Attachment ${index}`,
    ),
  }));

  // Read per case: a charter change made on any instance holds for the next report.
  const targets = await responseTargets(db, value.targets);
  let stored: { id: string; reference: string };
  try {
    stored = await insertCaseWithMessages(db, {
      kind: value.kind,
      newReference: () => newCaseReference(value.kind, new Date().getUTCFullYear()),
      channel: value.channel,
      receiptLookup: value.receiptLookup,
      reporterFingerprint: value.reporter.fingerprint,
      reporterPublicKey: value.reporter.publicKey,
      reporterLockedKey: value.reporter.lockedKey,
      ...dueDates(value.kind, new Date(), targets),
      readerIds: value.readers.map((r) => r.id),
      memberListVersion: value.readers[0]?.listVersion,
      involvedIds: value.kind === 'coc' ? value.involvedIds : [],
      messages: rows,
      audit: { action: 'case.created', details: { kind: value.kind, channel: value.channel } },
      submission: value.submission,
      replyAddressHash: value.replyAddressHash,
    });
  } catch (error) {
    // A concurrent request with the same token (and, for an API retry, the same receipt) committed first.
    if (value.submission && (error instanceof SubmissionTokenUsedError || error instanceof ReceiptInUseError)) {
      await refuseUsedToken(db, { hash: value.submission.tokenHash, expiresAt: value.submission.expiresAt });
    }
    if (error instanceof SubmissionTokenUsedError)
      throw conflict('This report was already received. It was stored once; nothing was sent again.');
    if (error instanceof ReceiptInUseError)
      throw conflict('This report was already received (its receipt is in use). Make a new submission.');
    throw error;
  }
  const { id: caseId, reference } = stored;
  if (value.kind === 'coc' && value.involvedIds.length > 0) await proposeReferralIfMajority(db, caseId, value.events);
  await value.events
    ?.caseStored(
      caseId,
      value.readers.map((r) => r.id),
    )
    .catch(() => undefined);
  return { reference, kind: value.kind };
}
