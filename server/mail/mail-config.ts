// The e-mail part of the configuration: SMTP intake, outbound relay. Read by loadConfig.
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { CaseKind } from '../../db/database';

export interface MailConfig {
  /** null: no SMTP intake listener (SMTP_PORT=off). 0: any free port (tests). */
  readonly smtpPort: number | null;
  readonly smtpHost: string;
  /** The domain of the intake addresses, of WKD, and the SMTP server's name. */
  readonly domain: string;
  /** false: MAIL_DOMAIN was not set and `domain` is only PUBLIC_URL's host (the start-up log says so loudly). */
  readonly domainConfigured: boolean;
  /** Intake addresses (lower case) per kind; the first of each list is the one published. */
  readonly addresses: Readonly<Record<CaseKind, readonly string[]>>;
  /** Announced with SIZE; larger mail is refused with 552. */
  readonly maxMessageBytes: number;
  /** STARTTLS when both are set. */
  readonly tls: { readonly certFile: string; readonly keyFile: string } | null;
  /** Worker threads that open and encrypt received mail; 0: in the main thread. */
  readonly workers: number;
  /** How long after its case is closed a reply address (security+TOKEN@…) still takes the reporter's mail. */
  readonly replyDaysAfterClose: number;
  /**
   * Peers that put a PROXY protocol header before SMTP (a TCP proxy in front of several instances,
   * SMTP_PROXY_FROM): the client address, for the limit below, is then the header's. Empty: none.
   */
  readonly proxyFrom: readonly string[];
  /** Messages one client address may deliver per window; more get 451 (retry later, nothing lost). */
  readonly rateLimit: { readonly max: number; readonly windowMs: number };
  /** The relay outbound mail goes through (nodemailer URL). Holds credentials: never log it. null: mail stays queued. */
  readonly relayUrl: string | null;
  /** From: of notifications. */
  readonly from: string;
  /** security.txt Preferred-Languages. */
  readonly languages: readonly string[];
}

type Env = Record<string, string | undefined>;
type IntReader = (name: string, fallback: number, min: number, max: number) => number;

const ADDRESS = /^[^\s@<>",;]+@[^\s@<>",;]+\.[^\s@<>",;]+$|^[^\s@<>",;]+@localhost$/;

/** Reads the mail variables; pushes every problem onto `problems` (loadConfig reports them together). */
export function loadMailConfig(
  env: Env,
  base: { publicUrl: string; host: string; projectName: string },
  int: IntReader,
  problems: string[],
): MailConfig {
  let publicHost = 'localhost';
  try {
    publicHost = new URL(base.publicUrl).hostname;
  } catch {
    // PUBLIC_URL itself is reported by loadConfig.
  }
  const domain = (env.MAIL_DOMAIN || publicHost).toLowerCase();
  if (!/^[a-z0-9.-]+$/.test(domain)) problems.push(`MAIL_DOMAIN must be a domain name (got "${domain}")`);

  const smtpPort = env.SMTP_PORT === 'off' ? null : int('SMTP_PORT', 2525, 0, 65535);
  const addressList = (name: string, fallback: string): string[] => {
    const list = (env[name] || fallback)
      .split(',')
      .map((a) => a.trim().toLowerCase())
      .filter(Boolean);
    for (const address of list)
      if (!ADDRESS.test(address))
        problems.push(`${name} must list e-mail addresses separated by commas (got "${address}")`);
    if (list.length === 0) problems.push(`${name} must name at least one address`);
    return list;
  };
  const security = addressList('INTAKE_SECURITY_ADDRESSES', `security@${domain}`);
  const coc = addressList('INTAKE_CONDUCT_ADDRESSES', `conduct@${domain}`);
  const both = security.filter((a) => coc.includes(a));
  if (both.length > 0) problems.push(`An address cannot take both kinds of report: ${both.join(', ')}`);

  const certFile = env.SMTP_TLS_CERT || '';
  const keyFile = env.SMTP_TLS_KEY || '';
  if (Boolean(certFile) !== Boolean(keyFile))
    problems.push('SMTP_TLS_CERT and SMTP_TLS_KEY must be set together (PEM files) to offer STARTTLS');

  const proxyFrom = (env.SMTP_PROXY_FROM || '')
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  for (const address of proxyFrom)
    if (net.isIP(address) === 0)
      problems.push(`SMTP_PROXY_FROM must list the IP addresses of your TCP proxies (got "${address}")`);

  const relayUrl = env.SMTP_URL || null;
  if (relayUrl !== null && !/^smtps?:\/\/[^/]+/.test(relayUrl))
    problems.push('SMTP_URL must be an smtp:// or smtps:// URL of your mail relay');

  const languages = (env.SECURITY_TXT_LANGUAGES || 'en')
    .split(',')
    .map((l) => l.trim())
    .filter(Boolean);
  if (languages.some((l) => !/^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/.test(l)))
    problems.push('SECURITY_TXT_LANGUAGES must list language tags such as "en, de"');

  return Object.freeze({
    smtpPort,
    smtpHost: env.SMTP_HOST || base.host,
    domain,
    domainConfigured: Boolean(env.MAIL_DOMAIN),
    addresses: Object.freeze({ security: Object.freeze(security), coc: Object.freeze(coc) }),
    maxMessageBytes: int('SMTP_MAX_BYTES', 25 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    tls:
      certFile && keyFile ? Object.freeze({ certFile: path.resolve(certFile), keyFile: path.resolve(keyFile) }) : null,
    workers: int('SMTP_WORKERS', Math.min(4, os.availableParallelism()), 0, 64),
    replyDaysAfterClose: int('REPLY_ADDRESS_DAYS_AFTER_CLOSE', 30, 0, 3650),
    proxyFrom: Object.freeze(proxyFrom),
    rateLimit: Object.freeze({
      max: int('SMTP_RATE_LIMIT', 30, 1, 1_000_000),
      windowMs: int('SMTP_RATE_WINDOW_MINUTES', 10, 1, 24 * 60) * 60_000,
    }),
    relayUrl,
    from: env.MAIL_FROM || `"${base.projectName.replace(/["\\]/g, '')} reports" <noreply@${domain}>`,
    languages: Object.freeze(languages),
  });
}
