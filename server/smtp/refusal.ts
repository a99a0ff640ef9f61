// The SMTP answers the intake gives when it does not take a message. A 4xx answer makes the
// sending server keep the message and retry later; a 5xx answer bounces it to the sender with
// our text, so every text says what happened and what to do, and never echoes message content.

export class SmtpRefusal extends Error {
  constructor(
    readonly responseCode: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SmtpRefusal';
  }

  get temporary(): boolean {
    return this.responseCode < 500;
  }
}

/** 451: try again later; nothing was stored. */
export const tryLater = (why: string, cause?: unknown) =>
  new SmtpRefusal(451, `${why} Nothing was stored; please try again later (your mail server will retry by itself).`, {
    cause,
  });

/** 554: the message itself is unusable (malformed MIME, a broken PGP block, NUL bytes…). */
export const unusable = (why: string, cause?: unknown) => new SmtpRefusal(554, `${why} Nothing was stored.`, { cause });

/** 550: encrypted to a key we do not hold; says where the right key is. */
export const wrongKey = (why: string, where: { fingerprint: string; publicUrl: string; address: string }) =>
  new SmtpRefusal(
    550,
    `${why} Nothing was stored. Encrypt to our intake key ${where.fingerprint}, published at ${where.publicUrl}/.well-known/security.txt ` +
      `and by WKD (gpg --locate-keys ${where.address}), or send the report unencrypted over TLS.`,
  );
