import { wordlist } from '@scure/bip39/wordlists/english.js';
import {
  RECEIPT_BITS,
  RECEIPT_WORDS,
  generateReceipt,
  isWellFormedReceipt,
  normalizeReceipt,
  receiptLookupHash,
} from '../../crypto/receipt';

describe('receipts', () => {
  test('are 8 words of the BIP-39 list: 88 bits, above the 80 bits DESIGN §2 asks for', () => {
    expect(RECEIPT_WORDS).toBe(8);
    expect(RECEIPT_BITS).toBe(88);
    expect(RECEIPT_BITS).toBeGreaterThanOrEqual(80);
    const words = new Set(wordlist);
    for (let i = 0; i < 20; i++) {
      const receipt = generateReceipt();
      const parts = receipt.split(' ');
      expect(parts).toHaveLength(8);
      expect(parts.every((w) => words.has(w))).toBe(true);
      expect(isWellFormedReceipt(receipt)).toBe(true);
    }
  });

  test('do not repeat', () => {
    const receipts = new Set(Array.from({ length: 200 }, () => generateReceipt()));
    expect(receipts.size).toBe(200);
  });

  test('use words from the whole list, not a corner of it', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 500; i++) for (const word of generateReceipt().split(' ')) seen.add(word);
    // 4000 draws from 2048 words cover about 86% of the list; a biased generator would cover far less.
    expect(seen.size).toBeGreaterThan(1500);
  });

  test.each([
    ['upper case', 'ABANDON Ability able about above absent absorb abstract'],
    ['extra spaces and new lines', '  abandon   ability\nable about\tabove absent absorb abstract  '],
    ['dashes, dots and commas', 'abandon-ability.able,about_above absent - absorb abstract'],
  ])('normalization ignores %s', (_what, typed) => {
    expect(normalizeReceipt(typed)).toBe('abandon ability able about above absent absorb abstract');
    expect(isWellFormedReceipt(typed)).toBe(true);
  });

  test.each([
    ['seven words', 'abandon ability able about above absent absorb'],
    ['nine words', 'abandon ability able about above absent absorb abstract absurd'],
    ['a word off the list', 'abandon ability able about above absent absorb zzzz'],
    ['nothing', ''],
  ])('%s is not a receipt', (_what, text) => {
    expect(isWellFormedReceipt(text)).toBe(false);
  });
});

describe('receiptLookupHash', () => {
  test('is a SHA-256 digest, stable for the same receipt however it is typed', async () => {
    const receipt = generateReceipt();
    const hash = await receiptLookupHash(receipt);
    expect(hash).toHaveLength(32);
    expect(Buffer.from(await receiptLookupHash(receipt)).equals(Buffer.from(hash))).toBe(true);
    expect(
      Buffer.from(await receiptLookupHash(`  ${receipt.toUpperCase().replace(/ /g, '-')} `)).equals(Buffer.from(hash)),
    ).toBe(true);
  });

  test('differs from receipt to receipt', async () => {
    const hashes = new Set<string>();
    for (let i = 0; i < 50; i++) hashes.add(Buffer.from(await receiptLookupHash(generateReceipt())).toString('hex'));
    expect(hashes.size).toBe(50);
  });

  test('is not the bare SHA-256 of the receipt (it is domain-separated)', async () => {
    const receipt = 'abandon ability able about above absent absorb abstract';
    const bare = Buffer.from(await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(receipt)));
    expect(Buffer.from(await receiptLookupHash(receipt)).equals(bare)).toBe(false);
  });
});
