// A report encrypted the way the page's script does it, as the JSON body of POST /api/reports.
import { readKey, type PublicKey } from 'openpgp';
import { messageConfig, type Argon2Cost } from '../../crypto/openpgp-config';
import { armorMessage, encryptMessage } from '../../crypto/split-message';
import { generateReceipt, receiptLookupHash } from '../../crypto/receipt';
import { createReporterKey } from '../../crypto/reporter-key';
import { testArgon2Cost } from './keys';

export interface EncryptedPayload {
  body: {
    kind: string;
    involved: string[];
    reporter: { publicKey: string; lockedPrivateKey: string; receiptLookup: string };
    report: string;
    attachments: string[];
  };
  receipt: string;
}

/** Encrypts `text` (and attachments) to the given armored public keys plus a new reporter key. */
export async function buildEncryptedPayload(options: {
  kind: string;
  recipientKeys: string[];
  text: string;
  involved?: string[];
  attachments?: Uint8Array[];
  /** Leave the reporter key out of the recipients (to test refusal). */
  omitReporter?: boolean;
  /** How the reporter key is locked; the tests' cheap Argon2 unless given (a browser uses defaultArgon2Cost). */
  reporterKeyCost?: Argon2Cost;
}): Promise<EncryptedPayload> {
  const receipt = generateReceipt();
  const reporter = await createReporterKey(receipt, options.reporterKeyCost ?? testArgon2Cost);
  const keys = await Promise.all(
    [...options.recipientKeys, ...(options.omitReporter ? [] : [reporter.publicKey])].map(
      async (armoredKey) => (await readKey({ armoredKey, config: messageConfig })) as PublicKey,
    ),
  );
  const encrypt = async (data: string | Uint8Array, filename?: string) =>
    armorMessage(await encryptMessage({ data, filename, recipients: keys }));
  const lookup = Buffer.from(await receiptLookupHash(receipt)).toString('hex');
  return {
    receipt,
    body: {
      kind: options.kind,
      involved: options.involved ?? [],
      reporter: { publicKey: reporter.publicKey, lockedPrivateKey: reporter.lockedPrivateKey, receiptLookup: lookup },
      report: await encrypt(options.text),
      attachments: await Promise.all((options.attachments ?? []).map((data, i) => encrypt(data, `file-${i + 1}.bin`))),
    },
  };
}

export async function postJson(url: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}
