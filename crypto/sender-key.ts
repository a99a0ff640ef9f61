import { enums, armor, readKey } from 'openpgp';
import { InvalidKeyError } from './errors';
import { validatePublicKey, type ValidatedKey } from './keys';
import { messageConfig } from './openpgp-config';

/**
 * A reporter's own public key found in their mail (an attached key, or an Autocrypt header's
 * keydata), accepted only if it passes the checks member keys pass and one of its user IDs names
 * `email`, the address we would write to. Throws InvalidKeyError otherwise; the caller then simply
 * does not encrypt to it.
 */
export async function senderKeyFromMail(candidate: string | Uint8Array, email: string): Promise<ValidatedKey> {
  let armored: string;
  if (typeof candidate === 'string') {
    armored = candidate;
  } else {
    try {
      const key = await readKey({ binaryKey: candidate, config: messageConfig });
      armored = armor(
        enums.armor.publicKey,
        key.toPublic().write(),
        undefined,
        undefined,
        undefined,
        false,
        messageConfig,
      );
    } catch (cause) {
      throw new InvalidKeyError('malformed', 'The key in the mail could not be parsed.', { cause });
    }
  }
  return validatePublicKey(armored, { email });
}
