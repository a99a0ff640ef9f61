// The OpenPGP checks of an encrypted submission, run on the worker pool: the same answers as the
// checks in this thread (crypto/reporter-key.ts, crypto/split-message.ts), refusals included.
import { threadId } from 'node:worker_threads';
import { decryptKey, encryptKey, readKey, readPrivateKey } from 'openpgp';
import { InvalidKeyError, MalformedMessageError } from '../../crypto/errors';
import { messageConfig } from '../../crypto/openpgp-config';
import { normalizeReceipt } from '../../crypto/receipt';
import {
  checkSubmissionOffThread,
  submissionCheckThreads,
  submissionChecksStarted,
} from '../../crypto/submission-check-pool';
import { MessageRefusedError } from '../../crypto/submission-checks';
import { splitMessage } from '../../crypto/split-message';
import { buildEncryptedPayload, type EncryptedPayload } from '../helpers/encrypted-payload';
import { fixtureKey } from '../helpers/keys';

let payload: EncryptedPayload;

beforeAll(async () => {
  payload = await buildEncryptedPayload({
    kind: 'security',
    recipientKeys: [fixtureKey('alice').publicKey, fixtureKey('bob').publicKey],
    text: 'Stored XSS in the project README renderer.',
    attachments: [new Uint8Array([1, 2, 3, 4]), new Uint8Array(2048).fill(7)],
  });
});

const input = (overrides: Partial<Parameters<typeof checkSubmissionOffThread>[0]> = {}) => ({
  reporterPublicKey: payload.body.reporter.publicKey,
  reporterLockedKey: payload.body.reporter.lockedPrivateKey,
  messages: [payload.body.report, ...payload.body.attachments],
  ...overrides,
});

async function refusal(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => null,
    (error: unknown) => error,
  );
}

test('splits every message as splitMessage does here, and names the reporter key, on a worker thread', async () => {
  const before = submissionChecksStarted();
  const checked = await checkSubmissionOffThread(input());
  expect(submissionChecksStarted()).toBe(before + 1);
  expect(submissionCheckThreads().length).toBeGreaterThan(0);
  expect(submissionCheckThreads()).not.toContain(threadId);

  const reporterKey = await readKey({ armoredKey: payload.body.reporter.publicKey });
  expect(checked.reporter.fingerprint).toBe(reporterKey.getFingerprint().toUpperCase());
  expect([...checked.reporter.keyIds].sort()).toEqual(
    reporterKey
      .getKeyIDs()
      .map((id) => id.toHex())
      .sort(),
  );
  expect(checked.splits).toHaveLength(3);
  for (const [index, armored] of input().messages.entries()) {
    const here = await splitMessage(armored);
    expect(Buffer.from(checked.splits[index]!.body).equals(Buffer.from(here.body))).toBe(true);
    expect(checked.splits[index]!.sessionKeys.map((k) => k.recipientKeyId)).toEqual(
      here.sessionKeys.map((k) => k.recipientKeyId),
    );
  }
});

test('refuses a malformed attachment with its index and the message splitMessage gives', async () => {
  const error = await refusal(
    checkSubmissionOffThread(input({ messages: [payload.body.report, 'not an OpenPGP message'] })),
  );
  expect(error).toBeInstanceOf(MessageRefusedError);
  expect(error).toBeInstanceOf(MalformedMessageError);
  expect((error as MessageRefusedError).index).toBe(1);
  const here = await refusal(splitMessage('not an OpenPGP message'));
  expect((error as Error).message).toBe((here as Error).message);
});

test('refuses a reporter private key sent unlocked, and a locked key of another key pair', async () => {
  const locked = await readPrivateKey({ armoredKey: payload.body.reporter.lockedPrivateKey });
  expect(locked.isDecrypted()).toBe(false);
  const other = await buildEncryptedPayload({ kind: 'security', recipientKeys: [], text: 'x' });

  const mismatched = await refusal(
    checkSubmissionOffThread(input({ reporterLockedKey: other.body.reporter.lockedPrivateKey })),
  );
  expect(mismatched).toBeInstanceOf(InvalidKeyError);
  expect((mismatched as InvalidKeyError).reason).toBe('malformed');

  const unlocked = await decryptKey({
    privateKey: locked,
    passphrase: normalizeReceipt(payload.receipt),
    config: messageConfig,
  });
  const sentInTheClear = await refusal(checkSubmissionOffThread(input({ reporterLockedKey: unlocked.armor() })));
  expect(sentInTheClear).toBeInstanceOf(InvalidKeyError);
  expect((sentInTheClear as InvalidKeyError).reason).toBe('private-key');
  // Re-locked under another passphrase it is locked again, and accepted as a locked key.
  const relocked = await encryptKey({ privateKey: unlocked, passphrase: 'another', config: messageConfig });
  await expect(checkSubmissionOffThread(input({ reporterLockedKey: relocked.armor() }))).resolves.toBeDefined();
});
