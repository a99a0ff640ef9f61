// The OpenPGP checks of a submission its client encrypted (the JavaScript path, the API): the
// reporter's key pair, and the shape of the report and of each attachment. They parse keys and
// messages and verify the reporter key's self-signatures, CPU work that ./submission-check-pool.ts
// runs on a worker thread; this module is what that thread runs, and works in any Node thread.
import { InvalidKeyError, MalformedMessageError, type InvalidKeyReason } from './errors';
import { checkReporterKey } from './reporter-key';
import { verifySelfSignaturesNatively } from './self-signatures-native';
import { splitMessage, type SplitMessage } from './split-message';

export interface SubmissionCryptoInput {
  reporterPublicKey: string;
  reporterLockedKey: string;
  /** The report first, then each attachment: OpenPGP messages, binary or armored. */
  messages: (string | Uint8Array)[];
}

/** The outcome as plain data (an error cannot cross threads as its own class). */
export type SubmissionCryptoResult =
  | { ok: true; reporter: { fingerprint: string; keyIds: string[] }; splits: SplitMessage[] }
  | { ok: false; refused: 'reporter-key'; reason: InvalidKeyReason; message: string }
  | { ok: false; refused: 'message'; index: number; message: string };

/** Checks the reporter key, then each message in order; the first refusal is the answer. */
export async function checkSubmissionCrypto(input: SubmissionCryptoInput): Promise<SubmissionCryptoResult> {
  let reporter: { fingerprint: string; keyIds: Set<string> };
  try {
    reporter = await checkReporterKey(input.reporterPublicKey, input.reporterLockedKey, {
      verifyFirst: verifySelfSignaturesNatively,
    });
  } catch (error) {
    if (error instanceof InvalidKeyError)
      return { ok: false, refused: 'reporter-key', reason: error.reason, message: error.message };
    throw error;
  }
  const splits: SplitMessage[] = [];
  for (const [index, data] of input.messages.entries()) {
    try {
      splits.push(await splitMessage(data));
    } catch (error) {
      if (error instanceof MalformedMessageError)
        return { ok: false, refused: 'message', index, message: error.message };
      throw error;
    }
  }
  return { ok: true, reporter: { fingerprint: reporter.fingerprint, keyIds: [...reporter.keyIds] }, splits };
}

/**
 * The result as the caller in the request thread uses it: the reporter and the split messages, or
 * the refusal thrown as the error the checks themselves throw (InvalidKeyError, MalformedMessageError
 * carrying the message's index).
 */
export function unpackSubmissionCrypto(result: SubmissionCryptoResult): {
  reporter: { fingerprint: string; keyIds: Set<string> };
  splits: SplitMessage[];
} {
  if (result.ok)
    return { reporter: { ...result.reporter, keyIds: new Set(result.reporter.keyIds) }, splits: result.splits };
  if (result.refused === 'reporter-key') throw new InvalidKeyError(result.reason, result.message);
  throw new MessageRefusedError(result.index, result.message);
}

/** A submitted message (0: the report, then the attachments) that is not of the shape we accept. */
export class MessageRefusedError extends MalformedMessageError {
  constructor(
    readonly index: number,
    message: string,
  ) {
    super(message);
    this.name = 'MessageRefusedError';
  }
}
