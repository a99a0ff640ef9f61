import type { NewMessage } from '../../db/cases.queries';
import type { SplitMessage } from '../../crypto/split-message';
import { badInput } from '../errors';
import type { Recipient } from './recipients';

/** A key that is not a member's: the reporter's, identified by its fingerprint and every key ID in it. */
export interface ReporterRecipient {
  fingerprint: string;
  keyIds: Set<string>;
}

/**
 * Names the owner of every session-key packet, and insists that the message is addressed to every
 * reader, to the reporter when `reporter` is given (and only then), and to nobody else. This is
 * what makes "only the people the governance names can read it" hold for ciphertext the server
 * did not make itself.
 */
export function addressSessionKeys(
  split: SplitMessage,
  readers: Recipient[],
  reporter: ReporterRecipient | null,
  what: string,
): NewMessage['sessionKeys'] {
  const addressed = new Map<string, NewMessage['sessionKeys'][number]>();
  for (const { recipientKeyId, packet } of split.sessionKeys) {
    const reader = readers.find((r) => r.keyIds.has(recipientKeyId));
    if (reader) {
      addressed.set(reader.fingerprint, {
        recipientFingerprint: reader.fingerprint,
        memberKeyId: reader.memberKeyId,
        packet,
      });
    } else if (reporter?.keyIds.has(recipientKeyId)) {
      addressed.set(reporter.fingerprint, { recipientFingerprint: reporter.fingerprint, memberKeyId: null, packet });
    } else {
      throw badInput(
        `${what} is encrypted to a key (${recipientKeyId}) that may not read this case. Fetch the recipients again and re-encrypt.`,
      );
    }
  }
  const missing = readers.filter((r) => !addressed.has(r.fingerprint));
  if (missing.length > 0) {
    throw badInput(
      `${what} is not encrypted to every routed reader (missing ${missing.length}). Fetch the recipients again and re-encrypt.`,
    );
  }
  if (reporter && !addressed.has(reporter.fingerprint)) throw badInput(`${what} is not encrypted to the reporter key.`);
  return [...addressed.values()];
}
