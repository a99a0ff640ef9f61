import { config as defaults, enums, type Config } from 'openpgp';

/**
 * The explicit OpenPGP configuration for messages: SEIPD v1 (no AEAD) so that stock GnuPG 2.2
 * decrypts everything we store, and no compression (it adds nothing to encrypted text and has leaked
 * plaintext length patterns before).
 */
export const messageConfig: Config = Object.freeze({
  ...defaults,
  aeadProtect: false,
  preferredCompressionAlgorithm: enums.compression.uncompressed,
  preferredSymmetricAlgorithm: enums.symmetric.aes256,
});

/** Argon2 costs for locking a reporter's private key under the receipt. Tests may pass cheaper ones. */
export interface Argon2Cost {
  passes: number;
  parallelism: number;
  /** Memory is 2^memoryExponent KiB. */
  memoryExponent: number;
}

/** OpenPGP.js's own default (64 MiB, 3 passes): modest for a browser, still costly to guess at. */
export const defaultArgon2Cost: Argon2Cost = Object.freeze({ passes: 3, parallelism: 4, memoryExponent: 16 });

/** Key-locking configuration: Argon2 S2K, which OpenPGP requires to go with AEAD key protection. */
export function keyLockConfig(cost: Argon2Cost = defaultArgon2Cost): Config {
  return { ...messageConfig, s2kType: enums.s2k.argon2, aeadProtect: true, s2kArgon2Params: { ...cost } };
}
