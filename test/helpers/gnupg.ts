// A throw-away GnuPG home per test file: stock `gpg` as a responder (decrypt) and as a client (encrypt).
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runOrThrow, runProcess, type ProcessResult } from './run-process';

export interface GnupgHome {
  home: string;
  /** Imports an armored key (public or secret) given as text. */
  importKey(armored: string): Promise<void>;
  /** `gpg --decrypt`: the plaintext bytes, or a rejection carrying gpg's stderr. With a passphrase, for a protected secret key. */
  decrypt(message: string | Uint8Array, passphrase?: string): Promise<Buffer>;
  /** `gpg --decrypt` without throwing, to check that it fails. */
  tryDecrypt(message: string | Uint8Array): Promise<ProcessResult>;
  /** `gpg --encrypt --armor -r ...` with the recipients' fingerprints (their public keys imported first), and any extra options. */
  encrypt(
    data: string | Uint8Array,
    recipientFingerprints: readonly string[],
    extraArgs?: readonly string[],
  ): Promise<string>;
  /** `gpg --list-packets` (decrypting where a key in this home can): its listing. */
  listPackets(message: Uint8Array): Promise<string>;
  /** Stops the agent this home started and removes the folder. */
  destroy(): Promise<void>;
}

export async function createGnupgHome(): Promise<GnupgHome> {
  const home = await fs.mkdtemp(path.join(os.tmpdir(), 'intake-gpg-'));
  const base = ['--batch', '--no-tty', '--quiet', '--homedir', home, '--trust-model', 'always'];
  const gpg = (args: string[], input?: string | Uint8Array) => runOrThrow('gpg', [...base, ...args], { input });
  return {
    home,
    importKey: async (armored) => {
      await gpg(['--import'], armored);
    },
    decrypt: (message, passphrase) =>
      gpg(
        [...(passphrase === undefined ? [] : ['--pinentry-mode', 'loopback', '--passphrase', passphrase]), '--decrypt'],
        message,
      ),
    tryDecrypt: (message) => runProcess('gpg', [...base, '--decrypt'], { input: message }),
    encrypt: async (data, recipients, extraArgs = []) =>
      (
        await gpg(
          [...extraArgs, '--armor', '--encrypt', ...recipients.flatMap((fingerprint) => ['-r', fingerprint])],
          data,
        )
      ).toString('utf8'),
    listPackets: async (message) => (await gpg(['--list-packets'], message)).toString('utf8'),
    destroy: async () => {
      await runProcess('gpgconf', ['--homedir', home, '--kill', 'all']).catch(() => undefined);
      await fs.rm(home, { recursive: true, force: true });
    },
  };
}
