// Member passwords: argon2id hashing, and the strength rule applied when one is chosen.
import { randomBytes } from 'node:crypto';
import { hash, parseOptions, verify, type Algorithm } from '@node-rs/argon2';
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as zxcvbnCommon from '@zxcvbn-ts/language-common';
import * as zxcvbnEn from '@zxcvbn-ts/language-en';

export interface PasswordHashCost {
  memoryKiB: number;
  passes: number;
  parallelism: number;
}

/** OWASP's argon2id recommendation (Password Storage Cheat Sheet): 19 MiB, 2 passes, 1 lane. */
export const OWASP_PASSWORD_COST: PasswordHashCost = Object.freeze({ memoryKiB: 19456, passes: 2, parallelism: 1 });

// The package's Algorithm is a const enum, which isolatedModules cannot import; 2 is Argon2id.
const ARGON2ID = 2 as Algorithm;

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 256;
export const MIN_PASSWORD_SCORE = 3;

// NFKC first (NIST SP 800-63B): the same password typed on another keyboard or system may arrive
// composed differently.
const normalized = (password: string) => password.normalize('NFKC');

export async function hashPassword(password: string, cost: PasswordHashCost): Promise<string> {
  return hash(normalized(password), {
    algorithm: ARGON2ID,
    memoryCost: cost.memoryKiB,
    timeCost: cost.passes,
    parallelism: cost.parallelism,
  });
}

/** Checks a password against its stored hash (argon2's own constant-time comparison). */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  return verify(passwordHash, normalized(password));
}

/** Whether a stored hash is weaker than the current cost, and should be replaced at the next sign-in. */
export function needsRehash(passwordHash: string, cost: PasswordHashCost): boolean {
  const used = parseOptions(passwordHash);
  return used.algorithm !== ARGON2ID || used.memoryCost < cost.memoryKiB || used.timeCost < cost.passes;
}

const dummyHashes = new Map<string, Promise<string>>();

/**
 * A hash of a random password at the given cost, checked when an e-mail has no account, so that the
 * answer takes as long as for a real one.
 */
export function dummyPasswordHash(cost: PasswordHashCost): Promise<string> {
  const key = `${cost.memoryKiB}/${cost.passes}/${cost.parallelism}`;
  let made = dummyHashes.get(key);
  if (!made) {
    made = hashPassword(randomBytes(32).toString('base64'), cost);
    dummyHashes.set(key, made);
  }
  return made;
}

let zxcvbn: ZxcvbnFactory | undefined;

function strengthChecker(): ZxcvbnFactory {
  zxcvbn ??= new ZxcvbnFactory({
    dictionary: { ...zxcvbnCommon.dictionary, ...zxcvbnEn.dictionary },
    graphs: zxcvbnCommon.adjacencyGraphs,
    translations: zxcvbnEn.translations,
  });
  return zxcvbn;
}

/**
 * What is wrong with a new password, in words for the member; empty when it is acceptable. Rules:
 * 12 to 256 characters, typed the same twice, and a zxcvbn score of at least 3 ("safely
 * unguessable") counting the member's name, e-mail and the project's name as known words.
 */
export function passwordProblems(password: string, confirmation: string, knownWords: string[]): string[] {
  if (password.length < MIN_PASSWORD_LENGTH) {
    return [
      `Choose a password of at least ${MIN_PASSWORD_LENGTH} characters (yours has ${password.length}). A few unrelated words make a long password easy to remember.`,
    ];
  }
  if (password.length > MAX_PASSWORD_LENGTH) return [`Choose a password of at most ${MAX_PASSWORD_LENGTH} characters.`];
  const problems: string[] = [];
  if (password !== confirmation) problems.push('The two passwords are not the same. Type it again in both fields.');
  const words = knownWords.flatMap((w) => [w, ...w.split(/[\s@.]+/)]).filter((w) => w.length >= 3);
  const result = strengthChecker().check(password, words);
  if (result.score < MIN_PASSWORD_SCORE) {
    const hints = [result.feedback.warning, ...result.feedback.suggestions].filter((h): h is string => Boolean(h));
    problems.push(
      `This password is too easy to guess.${hints.length ? ` ${hints.join(' ')}` : ''} Try a longer one, for example several unrelated words.`,
    );
  }
  return problems;
}
