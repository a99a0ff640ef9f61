// The member's private key in this browser. At rest (IndexedDB) it is the armored key, locked by
// its own passphrase. Unlocked "for the session", it is wrapped with a non-extractable AES-GCM key
// that also lives in IndexedDB, and the wrapped bytes live in sessionStorage, which the browser
// drops with the tab: no script can export the wrapping key, and no unlocked key touches disk in
// the clear. It is never sent to the server.
//
// Other tabs of the same origin and the same sign-in session get the wrapped bytes (never the key
// in the clear) over a BroadcastChannel from a tab that holds them, so the key is unlocked once per
// session, not once per tab. The wrapped bytes are tied to the session's tag (data-key-session,
// derived from the server's session): after sign-out or idle expiry a new session has a new tag,
// and a key unlocked under the old one is dropped — locked again.
import type { PrivateKey } from '../../crypto/keys';
import { armorPrivateKey, readArmoredPrivateKey, unlockMemberKey } from '../../crypto/member-key';

const DB_NAME = 'intake-keyring';
const STORE = 'keys';
const SESSION_ITEM = 'intake.unlocked-key';
const CHANNEL = 'intake-keyring';
/** How long a tab waits for another tab to hand over the unlocked key. */
const HANDOVER_WAIT_MS = 400;

/** The unlocked key as this tab keeps it: wrapped, with the member and session it was unlocked for. */
interface SessionEntry {
  email: string;
  tag: string;
  iv: number[];
  wrapped: string;
}

type KeyringMessage =
  | { type: 'request'; email: string; tag: string }
  | { type: 'offer' | 'unlocked'; entry: SessionEntry }
  | { type: 'lock' };

/** The sign-in session this page belongs to, as the server tagged it. */
function pageSessionTag(): string {
  return document.querySelector<HTMLElement>('[data-key-session]')?.dataset.keySession ?? '';
}

function savedEntry(): SessionEntry | null {
  try {
    const entry = JSON.parse(sessionStorage.getItem(SESSION_ITEM) ?? 'null') as SessionEntry | null;
    return entry &&
      typeof entry.email === 'string' &&
      typeof entry.tag === 'string' &&
      Array.isArray(entry.iv) &&
      typeof entry.wrapped === 'string'
      ? entry
      : null;
  } catch {
    return null;
  }
}

function keepEntry(entry: SessionEntry): void {
  sessionStorage.setItem(SESSION_ITEM, JSON.stringify(entry));
}

const unlockListeners: (() => void)[] = [];
const lockListeners: (() => void)[] = [];

/** Runs `listener` when another tab of this session unlocks the key (a locked page can then decrypt). */
export function onUnlockedElsewhere(listener: () => void): void {
  unlockListeners.push(listener);
}

/** Runs `listener` when another tab locks the key (signed out, or forgot it): decrypted text should go. */
export function onLockedElsewhere(listener: () => void): void {
  lockListeners.push(listener);
}

/** Asks the other tabs of this session for the wrapped key; null when none holds it. */
function askOtherTabs(email: string, tag: string): Promise<SessionEntry | null> {
  if (typeof BroadcastChannel === 'undefined' || tag === '') return Promise.resolve(null);
  const channel = new BroadcastChannel(CHANNEL);
  return new Promise((resolve) => {
    const finish = (entry: SessionEntry | null) => {
      clearTimeout(timer);
      channel.close();
      resolve(entry);
    };
    const timer = setTimeout(() => finish(null), HANDOVER_WAIT_MS);
    channel.onmessage = (event: MessageEvent<KeyringMessage>) => {
      const message = event.data;
      if (message.type === 'offer' && message.entry.email === email && message.entry.tag === tag) finish(message.entry);
    };
    channel.postMessage({ type: 'request', email, tag } satisfies KeyringMessage);
  });
}

/**
 * Lets this tab hand its unlocked key (wrapped) to other tabs of the same member and session, take
 * one unlocked in another tab, and lock when another tab locks. Started on every dashboard page.
 */
export function shareKeyWithOtherTabs(email: string): void {
  if (typeof BroadcastChannel === 'undefined') return;
  const channel = new BroadcastChannel(CHANNEL);
  channel.onmessage = (event: MessageEvent<KeyringMessage>) => {
    const message = event.data;
    const tag = pageSessionTag();
    if (message.type === 'request') {
      const entry = savedEntry();
      if (entry && tag !== '' && entry.tag === tag && message.tag === tag && entry.email === message.email)
        channel.postMessage({ type: 'offer', entry } satisfies KeyringMessage);
    } else if (message.type === 'unlocked') {
      if (tag === '' || message.entry.tag !== tag || message.entry.email !== email) return;
      keepEntry(message.entry);
      for (const listener of unlockListeners) listener();
    } else if (message.type === 'lock') {
      sessionStorage.removeItem(SESSION_ITEM);
      for (const listener of lockListeners) listener();
    }
  };
}

function broadcast(message: KeyringMessage): void {
  if (typeof BroadcastChannel === 'undefined') return;
  const channel = new BroadcastChannel(CHANNEL);
  channel.postMessage(message);
  channel.close();
}

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
  const unlocked = await unlockMemberKey(armored, passphrase);
  const wrapKey = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const wrapped = new Uint8Array(
    await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, wrapKey, new TextEncoder().encode(armorPrivateKey(unlocked))),
  );
  await idb('readwrite', (s) => s.put(wrapKey, `session:${email}`));
  const entry: SessionEntry = {
    email,
    tag: pageSessionTag(),
    iv: [...iv],
    wrapped: btoa(String.fromCharCode(...wrapped)),
  };
  keepEntry(entry);
  broadcast({ type: 'unlocked', entry });
  return unlocked;
}

/** The key unlocked earlier in this session (in this tab or another), or null. */
export async function sessionKey(email: string): Promise<PrivateKey | null> {
  const tag = pageSessionTag();
  let entry = savedEntry();
  if (entry && entry.email === email && entry.tag !== tag) {
    // Unlocked in a sign-in session that has ended (signed out, or idle too long): locked again.
    sessionStorage.removeItem(SESSION_ITEM);
    await idb('readwrite', (s) => s.delete(`session:${email}`));
    return null;
  }
  if (entry && entry.email !== email) return null;
  if (!entry) {
    entry = await askOtherTabs(email, tag);
    if (!entry) return null;
    keepEntry(entry);
  }
  const wrapKey = await idb<CryptoKey | undefined>('readonly', (s) => s.get(`session:${email}`));
  if (!wrapKey) return null;
  try {
    const bytes = Uint8Array.from(atob(entry.wrapped), (c) => c.charCodeAt(0));
    const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: new Uint8Array(entry.iv) }, wrapKey, bytes);
    return await readArmoredPrivateKey(new TextDecoder().decode(plain));
  } catch {
    return null;
  }
}

/** Locks the key in every tab, whoever it belongs to (on sign-out): it must be unlocked again. */
export async function lockSessionKey(): Promise<void> {
  const owner = savedEntry()?.email ?? document.querySelector<HTMLElement>('[data-member-email]')?.dataset.memberEmail;
  sessionStorage.removeItem(SESSION_ITEM);
  broadcast({ type: 'lock' });
  if (owner) await idb('readwrite', (s) => s.delete(`session:${owner}`));
}

/** Locks the key again or removes it from this browser altogether ("Forget the key"). */
export async function forget(email: string, everything: boolean): Promise<void> {
  sessionStorage.removeItem(SESSION_ITEM);
  broadcast({ type: 'lock' });
  await idb('readwrite', (s) => s.delete(`session:${email}`));
  if (everything) await idb('readwrite', (s) => s.delete(`locked:${email}`));
}
