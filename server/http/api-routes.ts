import { Router, type RequestHandler } from 'express';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import type { Config } from '../config';
import { badInput, tooLarge } from '../errors';
import { ARMOR_OVERHEAD, describeSize, isReportKind, largestApiSubmissionBytes } from '../intake/report-form';
import { routedReaders, submitEncryptedReport } from '../intake/reports';
import { approversToName } from '../intake/report-audience';
import type { CaseEvents } from '../cases/case-events';
import { readJsonBody } from './json-body';
import type { UploadBudget } from './upload-budget';
import type { SubmissionTokens } from '../intake/submission-tokens';
import { browserIdOf } from './submission-cookies';

export interface ApiRouteDeps {
  db: Kysely<Database>;
  config: Config;
  submissionLimiter: RequestHandler;
  readLimiter: RequestHandler;
  uploads: UploadBudget;
  /** Verifies the optional idempotency token (the form's submission token). */
  tokens: SubmissionTokens;
  /** Told when a case is stored (outbound mail). */
  events?: Pick<CaseEvents, 'caseStored'>;
}

/** The public JSON API (docs/api.md): recipients to encrypt to, and submission of encrypted reports. */
export function apiRoutes(deps: ApiRouteDeps): Router {
  const router = Router();
  const maxBody = largestApiSubmissionBytes(deps.config);

  router.get('/api/approvers', deps.readLimiter, async (_req, res) => {
    res.json({ approvers: await approversToName(deps.db) });
  });

  router.get('/api/recipients', deps.readLimiter, async (req, res) => {
    const kind = req.query.kind;
    if (!isReportKind(kind)) throw badInput('Query parameter "kind" must be "security" or "coc".');
    const involved = stringList(req.query.involved, 'involved');
    const readers = await routedReaders(deps.db, kind, involved);
    res.json({
      kind,
      recipients: readers.map((r) => ({ name: r.name, fingerprint: r.fingerprint, publicKey: r.armoredKey })),
      limits: { maxAttachmentBytes: deps.config.maxAttachmentBytes, maxAttachments: deps.config.maxAttachments },
    });
  });

  // The rate limit and the content type are checked before a byte of the body is read.
  router.post('/api/reports', deps.submissionLimiter, async (req, res) => {
    if (!req.is('application/json')) throw badInput('Send the report as application/json (see docs/api.md).');
    const body = ((await readJsonBody(req, res, { budget: deps.uploads, maxBytes: maxBody })) ?? {}) as Record<
      string,
      unknown
    >;
    const kind = body.kind;
    if (!isReportKind(kind)) throw badInput('"kind" must be "security" or "coc".');
    const reporter = (body.reporter ?? {}) as Record<string, unknown>;
    const attachments = body.attachments ?? [];
    if (!Array.isArray(attachments) || attachments.some((a) => typeof a !== 'string'))
      throw badInput('"attachments" must be a list of armored OpenPGP messages.');
    if (attachments.length > deps.config.maxAttachments)
      throw tooLarge(`At most ${deps.config.maxAttachments} attachments are accepted.`);
    const attachmentLimit = Math.ceil(deps.config.maxAttachmentBytes * ARMOR_OVERHEAD) + 4096;
    if (attachments.some((a: string) => a.length > attachmentLimit)) {
      throw tooLarge(`An attachment is larger than ${describeSize(deps.config.maxAttachmentBytes)}.`);
    }
    const submitted = await submitEncryptedReport(
      deps.db,
      {
        kind,
        involvedIds: stringList(body.involved, 'involved'),
        reporterPublicKey: requiredString(reporter.publicKey, 'reporter.publicKey'),
        reporterLockedKey: requiredString(reporter.lockedPrivateKey, 'reporter.lockedPrivateKey'),
        receiptLookup: requiredString(reporter.receiptLookup, 'reporter.receiptLookup'),
        report: requiredString(body.report, 'report'),
        attachments,
        submission: submissionToken(deps.tokens, body.submissionToken, browserIdOf(deps.config, req)),
      },
      'web',
      deps.config,
      deps.events,
    );
    res.status(201).json(submitted);
  });

  return router;
}

function submissionToken(tokens: SubmissionTokens, value: unknown, browserId: string | undefined) {
  if (value === undefined) return undefined;
  const token = tokens.verify(value, browserId);
  if (!token)
    throw badInput(
      '"submissionToken" has expired or is not one this server gave out: reload the form (copy your text first) and send it again.',
    );
  return token;
}

function requiredString(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '') throw badInput(`"${name}" is required and must be a string.`);
  return value;
}

function stringList(value: unknown, name: string): string[] {
  if (value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  if (list.some((v) => typeof v !== 'string')) throw badInput(`"${name}" must be a list of ids.`);
  return list as string[];
}
