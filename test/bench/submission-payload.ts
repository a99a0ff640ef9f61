// The JavaScript-path request body, built once as the report page's script builds it (server/browser/report-page.ts).
import crypto from 'node:crypto';
import { readKey, type PublicKey } from 'openpgp';
import { messageConfig } from '../../crypto/openpgp-config';
import { generateReceipt } from '../../crypto/receipt';
import { createReporterKey } from '../../crypto/reporter-key';
import { armorMessage, encryptMessage } from '../../crypto/split-message';

/** Cheap Argon2 (as in the tests): the bench measures the server, not the reporter's browser. */
export const BENCH_ARGON2 = { passes: 1, parallelism: 1, memoryExponent: 10 };

/** About `bytes` of plausible report text (ASCII, so bytes = characters). */
export function reportText(bytes = 10 * 1024): string {
  const line =
    'Steps to reproduce: send a crafted xDS update to the waypoint; the control plane accepts a route whose ' +
    'authority header bypasses the authorization policy for the namespace. Impact: lateral movement.\n';
  let text = 'Security report (benchmark fixture)\n\n';
  while (text.length < bytes) text += line;
  return text.slice(0, bytes);
}

/** Fetches the routed readers' keys from the running app, as the page does. */
export async function fetchRecipientKeys(appUrl: string): Promise<PublicKey[]> {
  const response = await fetch(`${appUrl}/api/recipients?kind=security`);
  if (!response.ok) throw new Error(`GET /api/recipients answered ${response.status}`);
  const { recipients } = (await response.json()) as { recipients: { publicKey: string }[] };
  return Promise.all(
    recipients.map(async (r) => (await readKey({ armoredKey: r.publicKey, config: messageConfig })) as PublicKey),
  );
}

export interface SubmissionTemplate {
  /** Bytes of one request body. */
  size: number;
  /** Number of session-key packets in the report (routed readers + the reporter). */
  recipients: number;
  /** `count` request bodies, identical except for a fresh random receiptLookup each. */
  bodies(count: number): Buffer[];
  /** One body as three parts to send in a row (the middle one a fresh receiptLookup), none of them copied: for large bodies. */
  parts(): [Buffer, Buffer, Buffer];
}

/** `attachments`: plaintext files, encrypted to the same recipients as the page's script does. */
export async function buildSubmission(
  readerKeys: PublicKey[],
  text = reportText(),
  attachments: Uint8Array[] = [],
): Promise<SubmissionTemplate> {
  const reporterKey = await createReporterKey(generateReceipt(), BENCH_ARGON2);
  const reporterPublic = (await readKey({ armoredKey: reporterKey.publicKey, config: messageConfig })) as PublicKey;
  const recipients = [...readerKeys, reporterPublic];
  const report = armorMessage(await encryptMessage({ data: text, recipients }));
  const marker = 'f'.repeat(64);
  const json = JSON.stringify({
    kind: 'security',
    involved: [],
    reporter: {
      publicKey: reporterKey.publicKey,
      lockedPrivateKey: reporterKey.lockedPrivateKey,
      receiptLookup: marker,
    },
    report,
    attachments: await Promise.all(
      attachments.map(async (data, i) =>
        armorMessage(await encryptMessage({ data, filename: `file-${i + 1}.bin`, recipients })),
      ),
    ),
  });
  const at = json.indexOf(marker);
  const prefix = Buffer.from(json.slice(0, at));
  const suffix = Buffer.from(json.slice(at + marker.length));
  return {
    size: Buffer.byteLength(json),
    recipients: recipients.length,
    bodies: (count) =>
      Array.from({ length: count }, () =>
        Buffer.concat([prefix, Buffer.from(crypto.randomBytes(32).toString('hex')), suffix]),
      ),
    parts: () => [prefix, Buffer.from(crypto.randomBytes(32).toString('hex')), suffix],
  };
}
