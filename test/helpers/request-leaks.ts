// What a recorded browser session must not have sent: given texts (canaries, receipts) in any
// encoding a form or URL gives them, and a member's private key in any form we know of.
import { readPrivateKey } from 'openpgp';
import { messageConfig } from '../../crypto/openpgp-config';
import { requestsContaining, type RecordedRequest } from './browser';
import { fixtureKey, type GoodKeyName } from './keys';

/** Nothing in `requests` carries any of `secrets`, and every request went to `origin`. */
export function expectNoneContain(
  requests: readonly RecordedRequest[],
  secrets: readonly string[],
  origin: string,
): void {
  for (const secret of secrets) {
    expect({ secret, found: requestsContaining(requests, secret).map((r) => `${r.method} ${r.url}`) }).toEqual({
      secret,
      found: [],
    });
  }
  expect(requests.filter((r) => new URL(r.url).origin !== new URL(origin).origin).map((r) => r.url)).toEqual([]);
}

/** A receipt as it could travel: as typed, form-encoded, or without its spaces. */
export function receiptForms(receipt: string): string[] {
  return [receipt, receipt.replace(/ /g, '+'), receipt.replace(/ /g, '')];
}

/**
 * No request carries the fixture member's private key: not its armor header, not its passphrase,
 * not the base64 of any of `armoredKeys` where the secret part begins, not the secret numbers of any
 * key packet in hex, base64 or raw bytes.
 */
export async function expectNoPrivateKey(
  requests: readonly RecordedRequest[],
  name: GoodKeyName,
  options: { armoredKeys: string[]; passphrase: string; origin: string },
): Promise<void> {
  const markers = await privateKeyMarkers(name, options.armoredKeys);
  expectNoneContain(requests, [...markers, options.passphrase], options.origin);
  const raw = await rawSecrets(name);
  expect(raw.length).toBeGreaterThanOrEqual(2);
  expect(requests.filter((r) => raw.some((bytes) => r.body?.includes(bytes))).map((r) => r.url)).toEqual([]);
}

/** The text forms of the private key that expectNoPrivateKey looks for (none is in the public key). */
export async function privateKeyMarkers(name: GoodKeyName, armoredKeys: string[]): Promise<string[]> {
  const markers = ['BEGIN PGP PRIVATE KEY'];
  for (const armored of armoredKeys) markers.push(await secretPartOfArmor(armored));
  for (const bytes of await rawSecrets(name))
    markers.push(bytes.toString('hex'), bytes.toString('base64').replace(/=+$/, ''));
  return markers;
}

/** The secret numbers of the fixture's primary key and subkeys, as bytes. */
async function rawSecrets(name: GoodKeyName): Promise<Buffer[]> {
  const key = await readPrivateKey({ armoredKey: fixtureKey(name).secretKey, config: messageConfig });
  return [key.keyPacket, ...key.subkeys.map((s) => s.keyPacket)].flatMap((packet) =>
    Object.values((packet as unknown as { privateParams?: Record<string, Uint8Array> }).privateParams ?? {}).map(
      (value) => Buffer.from(value),
    ),
  );
}

/**
 * A slice of an armored secret key's base64, within one line, from the bytes that follow the primary
 * key's public part: its secret part (in the clear, or S2K-protected with a random salt).
 */
async function secretPartOfArmor(armored: string): Promise<string> {
  const key = await readPrivateKey({ armoredKey: armored, config: messageConfig });
  const publicPart = Buffer.from(key.toPublic().keyPacket.write());
  const lines = armored.split('\n').map((l) => l.trim());
  const body = lines.slice(lines.indexOf('') + 1).filter((l) => /^[A-Za-z0-9+/]+={0,2}$/.test(l));
  const at = Buffer.from(body.join(''), 'base64').indexOf(publicPart);
  if (at < 0) throw new Error('The public part of the key is not in its armor');
  // The first base64 character made only of secret-part bytes, and the line it is on.
  const start = Math.ceil((at + publicPart.length) / 3) * 4;
  const width = body[0]!.length;
  const row = Math.floor(start / width);
  const rest = body[row]!.slice(start % width, (start % width) + 40);
  const slice = rest.length >= 24 ? rest : body[row + 1]!.slice(0, 40);
  if (slice.length < 24) throw new Error('No slice of the secret part found');
  return slice;
}
