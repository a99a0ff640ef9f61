// What the server publishes about its intake key: security.txt parsed by RFC 9116's rules and its
// signature checked by gpg, the key itself, the WKD endpoints, the security policy, and the
// fingerprint on the report page.
import { readKey } from 'openpgp';
import { wkdHash } from '../../crypto/wkd';
import { createGnupgHome } from '../helpers/gnupg';
import { CONDUCT, SECURITY, startMailScenario, type MailScenario } from '../helpers/mail-scenario';
import { runProcess } from '../helpers/run-process';

let s: MailScenario;
beforeAll(async () => {
  s = await startMailScenario({ relay: false });
});
afterAll(() => s?.close());

/** RFC 9116 §2.3–2.5: the signed body, then "Name: value" fields and comments, one per line. */
function parseSecurityTxt(signed: string): { fields: [string, string][]; body: string } {
  const match =
    /^-----BEGIN PGP SIGNED MESSAGE-----\r?\nHash: [A-Z0-9]+\r?\n\r?\n([\s\S]*?)\r?\n-----BEGIN PGP SIGNATURE-----/.exec(
      signed,
    );
  if (!match) throw new Error('security.txt is not a cleartext-signed OpenPGP message');
  const body = match[1]!.replace(/^- /gm, '');
  const fields: [string, string][] = [];
  for (const line of body.split(/\r?\n/)) {
    if (line === '' || line.startsWith('#')) continue;
    const field = /^([A-Za-z0-9-]+): (.+)$/.exec(line);
    if (!field) throw new Error(`not a field or comment: ${line}`);
    fields.push([field[1]!.toLowerCase(), field[2]!]);
  }
  return { fields, body };
}

test('security.txt follows RFC 9116 and is signed by the intake key', async () => {
  const response = await fetch(`${s.webUrl}/.well-known/security.txt`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
  const signed = await response.text();
  const { fields } = parseSecurityTxt(signed);
  const all = (name: string) => fields.filter(([n]) => n === name).map(([, v]) => v);

  expect(all('contact')).toEqual([`mailto:${SECURITY}`, 'https://report.intake.test/report?kind=security']);
  for (const uri of [...all('contact'), ...all('encryption'), ...all('canonical'), ...all('policy')])
    expect(() => new URL(uri)).not.toThrow();
  expect(all('expires')).toHaveLength(1);
  const expires = all('expires')[0]!;
  expect(expires).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/); // RFC 3339 (RFC 9116 §2.5.5)
  const ahead = Date.parse(expires) - Date.now();
  expect(ahead).toBeGreaterThan(30 * 86_400_000);
  expect(ahead).toBeLessThanOrEqual(365 * 86_400_000);
  expect(all('preferred-languages')).toEqual(['en']);
  expect(all('canonical')).toEqual(['https://report.intake.test/.well-known/security.txt']);
  expect(all('policy')).toEqual(['https://report.intake.test/security-policy']);
  expect(all('encryption')).toEqual([
    'https://report.intake.test/intake-key.asc',
    `openpgp4fpr:${s.intakeFingerprint.toLowerCase()}`,
  ]);

  // The signature, checked by stock gpg against the published key.
  const gpg = await createGnupgHome();
  try {
    await gpg.importKey(await (await fetch(`${s.webUrl}/intake-key.asc`)).text());
    const verified = await runProcess('gpg', ['--homedir', gpg.home, '--batch', '--status-fd', '1', '--verify'], {
      input: signed,
    });
    expect(verified.code).toBe(0);
    expect(verified.stdout.toString()).toContain(`VALIDSIG ${s.intakeFingerprint}`);
  } finally {
    await gpg.destroy();
  }

  const legacy = await fetch(`${s.webUrl}/security.txt`, { redirect: 'manual' });
  expect(legacy.status).toBe(301);
  expect(legacy.headers.get('location')).toBe('/.well-known/security.txt');
});

test('the key at the Encryption URL and in the WKD is the intake key, for every intake address', async () => {
  const armored = await (await fetch(`${s.webUrl}/intake-key.asc`)).text();
  expect((await readKey({ armoredKey: armored })).getFingerprint().toUpperCase()).toBe(s.intakeFingerprint);

  for (const address of [SECURITY, CONDUCT]) {
    const local = address.split('@')[0]!;
    for (const path of [
      `/.well-known/openpgpkey/hu/${wkdHash(local)}?l=${local}`,
      `/.well-known/openpgpkey/intake.test/hu/${wkdHash(local)}?l=${local}`,
    ]) {
      const response = await fetch(`${s.webUrl}${path}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/octet-stream');
      expect(response.headers.get('access-control-allow-origin')).toBe('*');
      const key = await readKey({ binaryKey: new Uint8Array(await response.arrayBuffer()) });
      expect(key.getFingerprint().toUpperCase()).toBe(s.intakeFingerprint);
      expect(key.getUserIDs().some((uid) => uid.includes(`<${address}>`))).toBe(true);
    }
  }
  expect((await fetch(`${s.webUrl}/.well-known/openpgpkey/hu/${wkdHash('alice')}`)).status).toBe(404);
  expect((await fetch(`${s.webUrl}/.well-known/openpgpkey/policy`)).status).toBe(200);
});

test('the security policy and the report page show the fingerprint', async () => {
  const grouped = s.intakeFingerprint.replace(/(.{4})/g, '$1 ').trim();
  const policy = await (await fetch(`${s.webUrl}/security-policy`)).text();
  expect(policy).toContain(grouped);
  expect(policy).toContain(`gpg --locate-keys ${SECURITY}`);
  expect(policy).toContain('Embargo and disclosure');
  expect(policy).toContain('Safe harbour'); // security-scope.njk, shared with the security form
  const form = await (await fetch(`${s.webUrl}/report?kind=security`)).text();
  expect(form).toContain(grouped);
});
