import path from 'node:path';
import { loadIntakeKeyConfig, type IntakeKeyConfig } from './intake-key/intake-key-config';
import { loadMailConfig, type MailConfig } from './mail/mail-config';
import { describeSize, largestSubmissionBytes } from './intake/report-form';
import { loadAdvisoryConfig, type AdvisoryConfig } from './disclosure/advisory-config';

/** The whole configuration of one app instance, validated once at start and passed in, never imported. */
export interface Config {
  readonly port: number;
  readonly host: string;
  readonly publicUrl: string;
  readonly dataDir: string;
  /** null: start (or attach to) the embedded PostgreSQL under dataDir. */
  readonly databaseUrl: string | null;
  readonly maxAttachmentBytes: number;
  readonly maxAttachments: number;
  /** Bytes of request bodies in flight at once, over all uploads and per client (server/http/upload-budget.ts). */
  readonly uploadBudget: { readonly totalBytes: number; readonly perClientBytes: number };
  /** Submissions one client may make per window, on the public routes. */
  readonly submissionRateLimit: { readonly max: number; readonly windowMs: number };
  /** Passed to express's "trust proxy" so the rate limiter sees the real client behind a reverse proxy. */
  readonly trustProxy: string | false;
  readonly projectName: string;
  readonly acknowledgeDays: { readonly security: number; readonly coc: number };
  /** Member sign-in: session lifetimes, per-account lock-out, per-client limit on failed attempts. */
  readonly auth: {
    readonly sessionIdleMinutes: number;
    readonly sessionMaxHours: number;
    readonly maxFailures: number;
    readonly lockoutMinutes: number;
    readonly clientFailureLimit: number;
  };
  readonly triageDays: { readonly security: number; readonly coc: number };
  /** E-mail: SMTP intake, outbound mail (server/mail/mail-config.ts). */
  readonly mail: MailConfig;
  /** The intake key: where its passphrase comes from (server/intake-key/intake-key-config.ts). */
  readonly intakeKey: IntakeKeyConfig;
  /** Where the public pages send a reporter: the Code of Conduct, and the body above the approvers. */
  readonly conduct: { readonly codeUrl: string; readonly committeeUrl: string; readonly committeeEmail: string };
  /** How long a proposal waits for objections (lazy consensus), and a vote for ballots (server/governance/decisions.ts). */
  readonly decisions: { readonly lazyConsensusHours: number; readonly cocLazyConsensusHours: number };
  /** A pending grant older than this is flagged to every reader of the case. */
  readonly grantWaitWarningHours: number;
  /** Advisories: the OSV id prefix and the CSAF publisher (server/disclosure/advisory-config.ts). */
  readonly advisory: AdvisoryConfig;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Reads the environment, reports every problem at once, and returns a frozen config. */
export function loadConfig(env: Env, cwd: string = process.cwd()): Config {
  const problems: string[] = [];

  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  };

  const port = int('PORT', 8080, 0, 65535);
  const publicUrl = (env.PUBLIC_URL || `http://localhost:${port}`).replace(/\/+$/, '');
  let publicHost = 'localhost';
  try {
    const url = new URL(publicUrl);
    publicHost = url.hostname;
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      problems.push(`PUBLIC_URL must be an http(s) URL (got "${publicUrl}")`);
  } catch {
    problems.push(`PUBLIC_URL is not a URL (got "${publicUrl}")`);
  }
  // A quick start (no PUBLIC_URL, or one on this machine) is plain HTTP: keep it off the network.
  const host = env.HOST || (LOOPBACK_NAMES.has(publicHost) ? '127.0.0.1' : '0.0.0.0');

  const databaseUrl = env.DATABASE_URL || null;
  if (databaseUrl !== null && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('DATABASE_URL must start with postgres:// or postgresql://');
  }

  const maxAttachmentBytes = int('MAX_ATTACHMENT_BYTES', 25 * 1024 * 1024, 1024, 1024 * 1024 * 1024);
  const maxAttachments = int('MAX_ATTACHMENTS', 5, 0, 50);
  const uploadBudget = loadUploadBudget(env, { maxAttachmentBytes, maxAttachments }, int, problems);
  const rateMax = int('SUBMISSION_RATE_LIMIT', 10, 1, 100000);
  const rateWindowMinutes = int('SUBMISSION_RATE_WINDOW_MINUTES', 10, 1, 24 * 60);
  const ackSecurity = int('ACK_DAYS_SECURITY', 2, 1, 60);
  const ackCoc = int('ACK_DAYS_COC', 3, 1, 60);
  const auth = Object.freeze({
    sessionIdleMinutes: int('SESSION_IDLE_MINUTES', 30, 1, 24 * 60),
    sessionMaxHours: int('SESSION_MAX_HOURS', 12, 1, 24 * 7),
    maxFailures: int('SIGNIN_MAX_FAILURES', 5, 1, 100),
    lockoutMinutes: int('SIGNIN_LOCKOUT_MINUTES', 15, 1, 24 * 60),
    clientFailureLimit: int('SIGNIN_CLIENT_LIMIT', 20, 1, 10000),
  });
  const triageSecurity = int('TRIAGE_DAYS_SECURITY', 10, 1, 365);
  const triageCoc = int('TRIAGE_DAYS_COC', 10, 1, 365);

  const dataDir = path.resolve(cwd, env.DATA_DIR || './data');
  const mail = loadMailConfig(env, { publicUrl, host, projectName: env.PROJECT_NAME || 'Kmesh' }, int, problems);
  const intakeKey = loadIntakeKeyConfig(env, { dataDir, databaseUrl }, problems);

  const httpUrl = (name: string, fallback: string): string => {
    const value = env[name] || fallback;
    if (!/^https?:\/\/[^\s"<>]+$/.test(value)) problems.push(`${name} must be an http(s) URL (got "${value}")`);
    return value;
  };
  const conduct = Object.freeze({
    codeUrl: httpUrl('CODE_OF_CONDUCT_URL', 'https://github.com/cncf/foundation/blob/main/code-of-conduct.md'),
    committeeUrl: httpUrl('COC_COMMITTEE_URL', 'https://www.cncf.io/conduct/committee/'),
    committeeEmail: env.COC_COMMITTEE_EMAIL || 'conduct@cncf.io',
  });
  if (!/^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>"]+$/.test(conduct.committeeEmail))
    problems.push(`COC_COMMITTEE_EMAIL must be an e-mail address (got "${conduct.committeeEmail}")`);

  // The governance's lazy consensus (72 hours), and the CNCF CoC Committee's 24 hours on conduct cases.
  const decisions = Object.freeze({
    lazyConsensusHours: int('LAZY_CONSENSUS_HOURS', 72, 1, 24 * 60),
    cocLazyConsensusHours: int('COC_LAZY_CONSENSUS_HOURS', 24, 1, 24 * 60),
  });
  const grantWaitWarningHours = int('GRANT_WAIT_WARNING_HOURS', 24, 1, 24 * 365);
  const advisory = loadAdvisoryConfig(env, { projectName: env.PROJECT_NAME || 'Kmesh', publicUrl }, problems);

  if (problems.length > 0) throw new ConfigError(problems);

  return Object.freeze({
    port,
    host,
    publicUrl,
    dataDir,
    databaseUrl,
    maxAttachmentBytes,
    maxAttachments,
    uploadBudget,
    submissionRateLimit: Object.freeze({ max: rateMax, windowMs: rateWindowMinutes * 60_000 }),
    trustProxy: env.TRUST_PROXY || false,
    projectName: env.PROJECT_NAME || 'Kmesh',
    acknowledgeDays: Object.freeze({ security: ackSecurity, coc: ackCoc }),
    auth,
    triageDays: Object.freeze({ security: triageSecurity, coc: triageCoc }),
    mail,
    intakeKey,
    conduct,
    decisions,
    grantWaitWarningHours,
    advisory,
  });
}

// A small machine (1–2 GB): the server holds about three times what is in flight at its peak.
const DEFAULT_UPLOAD_BUDGET_BYTES = 256 * 1024 * 1024;

function loadUploadBudget(
  env: Env,
  limits: { maxAttachmentBytes: number; maxAttachments: number },
  int: (name: string, fallback: number, min: number, max: number) => number,
  problems: string[],
): Config['uploadBudget'] {
  const largest = largestSubmissionBytes(limits);
  const totalBytes = int('UPLOAD_BUDGET_BYTES', Math.max(DEFAULT_UPLOAD_BUDGET_BYTES, largest), 1024 * 1024, 2 ** 50);
  const perClientBytes = int('UPLOAD_CLIENT_BYTES', Math.min(totalBytes, largest), 1024 * 1024, 2 ** 50);
  for (const [name, value] of [
    ['UPLOAD_BUDGET_BYTES', totalBytes],
    ['UPLOAD_CLIENT_BYTES', perClientBytes],
  ] as const) {
    if (value < largest) {
      problems.push(
        `${name} (${value}) must hold the largest submission, ${largest} bytes (${describeSize(largest)}, from MAX_ATTACHMENT_BYTES × MAX_ATTACHMENTS): raise it or lower those`,
      );
    }
  }
  if (perClientBytes > totalBytes)
    problems.push(`UPLOAD_CLIENT_BYTES (${perClientBytes}) must not exceed UPLOAD_BUDGET_BYTES (${totalBytes})`);
  return Object.freeze({ totalBytes, perClientBytes });
}
