import { wordlist } from '@scure/bip39/wordlists/english.js';

/** 8 words from the 2048-word BIP-39 English list: 88 bits, above the 80 bits DESIGN §2 asks for. */
export const RECEIPT_WORDS = 8;
export const RECEIPT_BITS = RECEIPT_WORDS * Math.log2(wordlist.length);

/** A new receipt from the platform CSPRNG (WebCrypto, in Node and in the browser). */
export function generateReceipt(): string {
  const words: string[] = [];
  const random = new Uint16Array(RECEIPT_WORDS);
  globalThis.crypto.getRandomValues(random);
  for (const value of random) words.push(wordlist[value % wordlist.length]!); // 65536 is a multiple of 2048: no bias
  return words.join(' ');
}

/** Case, spacing and separators do not matter when a reporter types the receipt back. */
export function normalizeReceipt(receipt: string): string {
  return receipt
    .trim()
    .toLowerCase()
    .split(/[\s\-_.,]+/)
    .filter(Boolean)
    .join(' ');
}

/** True when the text has the shape of a receipt (right word count, every word from the list). */
export function isWellFormedReceipt(receipt: string): boolean {
  const words = normalizeReceipt(receipt).split(' ');
  return words.length === RECEIPT_WORDS && words.every((word) => wordSet.has(word));
}

const wordSet = new Set(wordlist);

/**
 * The value the server stores to find a case by its receipt: SHA-256 over a domain tag and the
 * normalized receipt. A fast hash suffices because the receipt itself has 88 bits of entropy.
 */
export async function receiptLookupHash(receipt: string): Promise<Uint8Array> {
  const bytes = new TextEncoder().encode(`intake-receipt-v1\u0000${normalizeReceipt(receipt)}`);
  return new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', bytes));
}
