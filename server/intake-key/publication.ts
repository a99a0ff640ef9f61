// The intake key as the world finds it: security.txt signed with it, and its Web Key Directory names.
import { signCleartext } from '../../crypto/intake-key';
import type { PrivateKey } from '../../crypto/keys';
import { wkdHash } from '../../crypto/wkd';
import type { Config } from '../config';
import { securityTxt } from './security-txt';

/** security.txt, cleartext-signed with the unlocked intake key (RFC 9116 asks it to be signed). */
export function signedSecurityTxt(
  config: Config,
  fingerprint: string,
  signingKey: PrivateKey,
  now: Date,
): Promise<string> {
  return signCleartext(securityTxt(config, fingerprint, now), signingKey);
}

/** The intake addresses by their WKD "hu" name: the names the directory answers for. */
export function wkdDirectory(addresses: readonly string[]): Map<string, string> {
  return new Map(addresses.map((address) => [wkdHash(address.slice(0, address.lastIndexOf('@'))), address]));
}
