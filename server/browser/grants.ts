// Grants, fulfilled in this browser (issue 10 §1): on every dashboard page with the member's key
// unlocked, the server names the member's cases whose pending grants this member can fulfil; for
// each, this browser decrypts its own session-key packets and re-wraps them to each grantee's
// current key. Only the new packets are posted: no body, no session key, no private key leaves.
// And as a grantee: a granted packet that does not decrypt is reported, so another reader grants it.
import { readPublicKey, type PrivateKey } from '../../crypto/keys';
import { createSessionKeyRewrapper } from '../../crypto/session-key-grant';
import { fetchJson, fromBase64 } from './dom';

interface GrantTask {
  grantee: string;
  kind: 'member' | 'committee';
  encryptionKeyId: string;
  publicKey: string;
  messages: { id: string; packet: string }[];
}

const REWRAP_CONCURRENCY = 32;
/** The server takes at most this many packets per post. */
const PACKETS_PER_POST = 1000;

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

const casePath = (reference: string) => `/api/dashboard/cases/${encodeURIComponent(reference)}`;

/** Re-wraps one grantee's messages with this key; a packet that does not decrypt here is left for another reader. */
export async function rewrapForGrantee(
  key: PrivateKey,
  task: GrantTask,
): Promise<{ messageId: string; packet: string }[]> {
  const rewrap = await createSessionKeyRewrapper({
    decryptionKey: key,
    recipients: [await readPublicKey(task.publicKey)],
  });
  const packets: { messageId: string; packet: string }[] = [];
  const one = async (message: GrantTask['messages'][number]) => {
    try {
      const [made] = await rewrap(fromBase64(message.packet));
      if (made && made.recipientKeyId === task.encryptionKeyId.toLowerCase())
        packets.push({ messageId: message.id, packet: toBase64(made.packet) });
    } catch {
      // Not decryptable with this key (a packet of an older key of ours): another reader grants it.
    }
  };
  // Several at once: the browser's WebCrypto runs off the page's thread, so its waits overlap.
  for (let i = 0; i < task.messages.length; i += REWRAP_CONCURRENCY)
    await Promise.all(task.messages.slice(i, i + REWRAP_CONCURRENCY).map(one));
  return packets;
}

async function postGrant(
  reference: string,
  csrf: string,
  grantee: string,
  packets: { messageId: string; packet: string }[],
) {
  let stored = 0;
  for (let i = 0; i < packets.length; i += PACKETS_PER_POST) {
    const result = await fetchJson<{ stored: number }>(`${casePath(reference)}/grants`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'x-csrf-token': csrf },
      body: JSON.stringify({ grantee, packets: packets.slice(i, i + PACKETS_PER_POST) }),
    });
    stored += result.stored;
  }
  return stored;
}

/**
 * Fulfils every grant this member can, quietly, and says what it did in `status`. A failure on one
 * case does not stop the others; the grants stay pending and the next page tries again.
 */
export async function fulfilPendingGrants(key: PrivateKey, status: HTMLElement): Promise<void> {
  const csrf = status.dataset.csrf ?? '';
  if (csrf === '') return;
  const { cases } = await fetchJson<{ cases: string[] }>('/api/dashboard/grants');
  if (cases.length === 0) return;
  status.dataset.grantState = 'working';
  status.textContent = `Granting access in this browser for ${cases.length} case${cases.length === 1 ? '' : 's'}…`;
  let stored = 0;
  let failed = 0;
  for (const reference of cases) {
    try {
      const work = await fetchJson<{ grantees: GrantTask[] }>(`${casePath(reference)}/grants`);
      for (const task of work.grantees) {
        const packets = await rewrapForGrantee(key, task);
        if (packets.length > 0) stored += await postGrant(reference, csrf, task.grantee, packets);
      }
    } catch {
      failed += 1;
    }
  }
  status.dataset.grantState = failed > 0 ? 'incomplete' : 'done';
  status.textContent =
    `Granted access in this browser: ${stored} message${stored === 1 ? '' : 's'} re-wrapped for new readers.` +
    (failed > 0
      ? ` ${failed} case${failed === 1 ? '' : 's'} could not be granted now; the next page tries again.`
      : '');
}

/** As the grantee: granted packets of this case that did not decrypt here go back to pending. */
export async function reportFailedGrants(reference: string, csrf: string, messageIds: string[]): Promise<void> {
  if (messageIds.length === 0 || csrf === '') return;
  await fetchJson(`${casePath(reference)}/grants/failures`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'x-csrf-token': csrf },
    body: JSON.stringify({ messageIds }),
  });
}
