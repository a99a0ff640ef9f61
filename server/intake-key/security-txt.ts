// The body of /.well-known/security.txt (RFC 9116), before it is cleartext-signed.
import type { Config } from '../config';

/** security.txt stays valid this long and is renewed on every day it is served (RFC 9116 recommends under a year). */
export const SECURITY_TXT_VALID_DAYS = 180;

/**
 * The fields, in RFC 9116's words: Contact (the intake address first, then the web form),
 * Encryption (the key's URL and its fingerprint, so a swapped key is noticed), Expires (from the
 * start of today, so that it changes once a day), Preferred-Languages, Canonical, Policy.
 */
export function securityTxt(config: Config, fingerprint: string, now: Date): string {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const expires = new Date(today + SECURITY_TXT_VALID_DAYS * 86_400_000);
  const base = config.publicUrl;
  const lines = [
    `# How to report a security vulnerability in ${config.projectName}. Signed with our intake key.`,
    ...config.mail.addresses.security.slice(0, 1).map((address) => `Contact: mailto:${address}`),
    `Contact: ${base}/report?kind=security`,
    `Encryption: ${base}/intake-key.asc`,
    `Encryption: openpgp4fpr:${fingerprint.toLowerCase()}`,
    `Expires: ${expires.toISOString().replace(/\.\d{3}Z$/, 'Z')}`,
    `Preferred-Languages: ${config.mail.languages.join(', ')}`,
    `Canonical: ${base}/.well-known/security.txt`,
    `Policy: ${base}/security-policy`,
    `# Code of Conduct reports: mailto:${config.mail.addresses.coc[0]} or ${base}/report?kind=coc`,
  ];
  return `${lines.join('\n')}\n`;
}
