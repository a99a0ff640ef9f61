// The member's private key in this browser. At rest (IndexedDB) it is the armored key, locked by
// its own passphrase. Unlocked "for the session", it is wrapped with a non-extractable AES-GCM key
// that also lives in IndexedDB, and the wrapped bytes live in sessionStorage, which the browser
// drops with the tab: no script can export the wrapping key, and no unlocked key touches disk in
// the clear. It is never sent to the server.
import { decryptKey, readPrivateKey, type PrivateKey } from 'openpgp';
import { messageConfig } from '../../crypto/openpgp-config';

const DB_NAME = 'intake-keyring';
const STORE = 'keys';
const SESSION_ITEM = 'intake.unlocked-key';

function openStore(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function idb<T>(mode: IDBTransactionMode, run: (store: IDBObjectStore) => IDBRequest): Promise<T> {
  const db = await openStore();
  return new Promise((resolve, reject) => {
    const request = run(db.transaction(STORE, mode).objectStore(STORE));
    request.onsuccess = () => resolve(request.result as T);
    request.onerror = () => reject(request.error);
  });
}

/** Keeps the passphrase-protected armored key for this member. */
export async function storeLockedKey(email: string, armored: string): Promise<void> {
  await idb('readwrite', (s) => s.put(armored, `locked:${email}`));
}

export async function lockedKey(email: string): Promise<string | undefined> {
  return idb<string | undefined>('readonly', (s) => s.get(`locked:${email}`));
}

/** Unlocks the stored key with its passphrase and keeps it unlocked for this browser session. */
export async function unlockForSession(email: string, passphrase: string): Promise<PrivateKey> {
  const armored = await lockedKey(email);
  if (!armored) throw new Error('No key is stored in this browser yet.');
  const locked = await readPrivateKey({ armoredKey: armored, config: messageConfig });
  let unlocked: PrivateKey;
  try {
    unlocked = await decryptKey({ privateKey: locked, passphrase, config: messageConfig });
  } catch {
    throw new Error('That passphrase does not unlock your key.');
  }
  const wrapKey = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const wrapped = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, wrapKey, new TextEncoder().encode(unlocked.armor(messageConfig))));
  await idb('readwrite', (s) => s.put(wrapKey, `session:${email}`));
  sessionStorage.setItem(SESSION_ITEM, JSON.stringify({ email, iv: [...iv], wrapped: btoa(String.fromCharCode(...wrapped)) }));
  return unlocked;
}

/** The key unlocked earlier in this session, or null. */
export async function sessionKey(email: string): Promise<PrivateKey | null> {
  const saved = sessionStorage.getItem(SESSION_ITEM);
  if (!saved) return null;
  const { email: owner, iv, wrapped } = JSON.parse(saved) as { email: string; iv: number[]; wrapped: string };
  if (owner !== email) return null;
  const wrapKey = await idb<CryptoKey | undefined>('readonly', (s) => s.get(`session:${email}`));
  if (!wrapKey) return null;
  try {
    const bytes = Uint8Array.from(atob(wrapped), (c) => c.charCodeAt(0));
    const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: new Uint8Array(iv) }, wrapKey, bytes);
    return await readPrivateKey({ armoredKey: new TextDecoder().decode(plain), config: messageConfig });
  } catch {
    return null;
  }
}

/** Locks whatever key this tab unlocked, whoever it belongs to (on sign-out): it must be unlocked again. */
export async function lockSessionKey(): Promise<void> {
  const saved = sessionStorage.getItem(SESSION_ITEM);
  sessionStorage.removeItem(SESSION_ITEM);
  const owner = saved ? (JSON.parse(saved) as { email?: string }).email : undefined;
  if (owner) await idb('readwrite', (s) => s.delete(`session:${owner}`));
}

/** Locks the key again or removes it from this browser altogether ("Forget the key"). */
export async function forget(email: string, everything: boolean): Promise<void> {
  sessionStorage.removeItem(SESSION_ITEM);
  await idb('readwrite', (s) => s.delete(`session:${email}`));
  if (everything) await idb('readwrite', (s) => s.delete(`locked:${email}`));
}
