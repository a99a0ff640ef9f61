/** Why a key was refused; callers branch on `reason`, people read `message`. */
export type InvalidKeyReason =
  | 'malformed'
  | 'private-key'
  | 'no-encryption-subkey'
  | 'expired'
  | 'revoked'
  | 'weak'
  | 'uid-mismatch'
  /** A private key that is not the member's key on file. */
  | 'not-on-file'
  /** A private key its passphrase does not unlock. */
  | 'locked';

export class InvalidKeyError extends Error {
  constructor(
    readonly reason: InvalidKeyReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'InvalidKeyError';
  }
}

/** Bytes that are not an OpenPGP message of the shape we accept (PKESK packets followed by one encrypted body). */
export class MalformedMessageError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MalformedMessageError';
  }
}

export class DecryptionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DecryptionError';
  }
}
