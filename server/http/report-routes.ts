import { Router, type Request, type RequestHandler, type Response } from 'express';
import type { Kysely } from 'kysely';
import type { CaseKind, Database } from '../../db/database';
import type { Config } from '../config';
import type { Logger } from '../log';
import { DomainError, badInput } from '../errors';
import {
  REPORT_FIELDS,
  describeSize,
  composeReportDocument,
  isReportKind,
  largestFormBytes,
  pickReportFields,
  reportFieldProblems,
} from '../intake/report-form';
import { KIND_TITLES } from '../cases/case-words';
import { AlreadySubmittedError, submitPlaintextReport } from '../intake/reports';
import { formAudience, involvedApproverNames } from '../intake/report-audience';
import { earlierSubmission, takeConfirmation } from '../intake/report-confirmation';
import { SEAL_LIFETIME_MS, type SubmissionTokens } from '../intake/submission-tokens';
import { browserIdOf, ensureBrowserId, redirectToConfirmation, takeConfirmationToken } from './submission-cookies';
import type { CaseEvents } from '../cases/case-events';
import { parseForm, type ParsedForm } from './form-parser';
import { noStore, RateLimitedError, sentFromAnotherSite, type Csrf } from './protection';
import {
  BUSY_RETRY_AFTER_SECONDS,
  ServerBusyError,
  admitUpload,
  declaredLength,
  dropRestAfterAnswer,
  type UploadBudget,
} from './upload-budget';
import { withoutPrototype } from './outside-keys';
import { loggableError } from './error-handler';

const STORE_FAILED =
  'Your report could not be stored just now, so nothing was saved. Your text is kept below: please send it again in a few minutes.';

export interface ReportRouteDeps {
  db: Kysely<Database>;
  config: Config;
  csrf: Csrf;
  submissionLimiter: RequestHandler;
  uploads: UploadBudget;
  log: Logger;
  /** The forms' one-time tokens: one case per form, however often it is posted. */
  tokens: SubmissionTokens;
  /** Told when a case is stored (outbound mail). */
  events?: Pick<CaseEvents, 'caseStored'>;
}

/** The public report pages: the choice of kind, the form per kind, and the no-JavaScript submission. */
export function reportRoutes(deps: ReportRouteDeps): Router {
  const router = Router();
  router.use('/report', noStore);

  router.get('/', (_req, res) => res.redirect(303, '/report'));

  router.get('/report', async (req, res) => {
    const kind = req.query.kind;
    if (kind === undefined) return res.render('report-choose.njk', { titles: KIND_TITLES });
    if (!isReportKind(kind))
      throw badInput(
        `There is no kind of report called "${String(kind)}". Choose a security report or a Code of Conduct report.`,
      );
    // Each form has an address of its own: going back to it after sending finds it sent, where a
    // fresh form, with the typed text put back by the browser, would make a second case.
    const token = deps.tokens.tokenFor(
      req.query.form,
      ensureBrowserId(deps.config, req, res, deps.tokens.newBrowserId),
    );
    if (!token) return res.redirect(303, `/report?kind=${kind}&form=${deps.tokens.newFormId()}`);
    const earlier = await earlierSubmission(deps.db, token);
    if (earlier)
      return res.render('report-confirmation.njk', {
        shown: 'before',
        reference: earlier.reference,
        kind,
        title: KIND_TITLES[kind],
      });
    await renderForm(deps, req, res, kind, { values: {}, involved: [], problems: [], submission: token.value });
  });

  // Post/Redirect/Get: a reload of the confirmation reloads this page, never the post.
  router.get('/report/received/:slot', async (req, res) => {
    const token = deps.tokens.verify(takeConfirmationToken(deps.config, req, res), browserIdOf(deps.config, req));
    const confirmation = await takeConfirmation(deps.db, deps.tokens, token);
    res.render('report-confirmation.njk', {
      ...confirmation,
      title: confirmation.kind && KIND_TITLES[confirmation.kind],
    });
  });

  router.post('/report', async (req, res) => {
    // Everything that needs no body is checked before a byte of it is read (the kind is in the form's action).
    const unread = await refusalBeforeReading(deps, req, res);
    if (unread) return answerUnread(deps, req, res, unread);
    const maxBytes = largestFormBytes(deps.config);
    // No room for the files: read the text alone (discarding the files as they pass), taking budget for
    // the text as it comes, so that it can be kept.
    let admitted = admitUpload(deps.uploads, req, res, { maxBytes });
    const textOnly = 'refused' in admitted;
    if (textOnly) admitted = admitUpload(deps.uploads, req, res, { maxBytes, reserve: 0 });
    if ('refused' in admitted)
      return answerUnread(deps, req, res, { status: 503, message: `${new ServerBusyError().message} ${NOT_READ}` });

    const form = await parseForm(req, {
      maxFileBytes: deps.config.maxAttachmentBytes,
      maxFiles: deps.config.maxAttachments,
      maxBytes,
      reservation: admitted.reservation,
      textOnly,
    });
    req.body = withoutPrototype(Object.entries(form.fields).map(([name, values]) => [name, values[0]] as const));
    const kind = form.fields.kind?.[0];
    if (!isReportKind(kind))
      throw badInput(
        `There is no kind of report called "${kind ?? ''}". Choose a security report or a Code of Conduct report.`,
      );
    const values = pickReportFields(kind, form.fields);
    const involved = form.fields.involved ?? [];
    const token = deps.tokens.verify(form.fields.submission?.[0], browserIdOf(deps.config, req));

    const problems: string[] = [];
    let status = 400;
    if (form.cutOff) {
      dropRestAfterAnswer(req, res);
      status = form.cutOff === 'busy' ? 503 : 413;
      problems.push(
        form.cutOff === 'busy'
          ? BUSY_KEPT
          : `Your report is larger than ${describeSize(maxBytes)} in all, so it was not read to its end and nothing was sent. What was read is kept below: check that it is complete.`,
      );
    } else if (textOnly && form.refusedFiles.length > 0) {
      status = 503;
      problems.push(BUSY_KEPT);
    } else if (!deps.csrf.isValid(req) || !token) {
      problems.push('This form expired, or was not sent from this site. Check your text below and send it again.');
      status = 403;
    } else if (uncounted.has(req)) {
      problems.push(STORE_FAILED);
      status = 503;
    }
    if (status === 503) res.set('Retry-After', String(BUSY_RETRY_AFTER_SECONDS));
    problems.push(...reportFieldProblems(kind, values));
    problems.push(...attachmentProblems(deps.config, form));
    if (problems.length > 0 && status === 400 && (form.refusedFiles.length > 0 || form.filesLimitReached)) status = 413;
    if (problems.length > 0 || !token)
      return renderForm(deps, req, res, kind, { values, involved, problems, submission: token?.value }, status);

    try {
      const involvedNames = await involvedApproverNames(deps.db, involved);
      // The receipt is not shown here: the confirmation page shows it, once, from its sealed copy.
      await submitPlaintextReport(
        deps.db,
        {
          kind,
          involvedIds: involved,
          document: composeReportDocument(kind, values, involvedNames),
          attachments: form.files,
        },
        // 'fast': the server would otherwise spend ~1 s of Argon2 per report, for no gain (crypto/reporter-key.ts).
        {
          channel: 'web-no-js',
          reporterKeyLock: 'fast',
          targets: deps.config,
          events: deps.events,
          submission: {
            ...token,
            sealReceipt: (receipt) => deps.tokens.seal(token.value, receipt),
            sealUntil: new Date(Date.now() + SEAL_LIFETIME_MS),
          },
        },
      );
      return redirectToConfirmation(deps.config, res, token.value);
    } catch (error) {
      if (error instanceof AlreadySubmittedError) {
        // A double click's first response never reaches the page: the second shows the receipt instead.
        if (error.earlier.receiptWaiting) return redirectToConfirmation(deps.config, res, token.value);
        return res.status(409).render('report-confirmation.njk', {
          shown: 'before',
          reference: error.earlier.reference,
          kind,
          title: KIND_TITLES[kind],
        });
      }
      if (error instanceof DomainError) {
        return renderForm(
          deps,
          req,
          res,
          kind,
          { values, involved, problems: [error.message], submission: token.value },
          error.kind === 'not-configured' ? 503 : 400,
        );
      }
      // The database (or anything else) failed: nothing was stored, and the reporter keeps the text.
      deps.log.error('a no-JavaScript report could not be stored', { error });
      return renderForm(
        deps,
        req,
        res,
        kind,
        { values, involved, problems: [STORE_FAILED], submission: token.value },
        503,
      );
    }
  });

  return router;
}

/** Posts whose submission limit could not be counted: read and answered, never stored. */
const uncounted = new WeakSet<Request>();

const NOT_READ =
  'Your report was not read, so your text cannot be shown here: go back in your browser (it usually still has what you typed), copy your text, then reload the form and send it again.';
const BUSY_KEPT = `The server is receiving many large reports just now, so your attachments were not taken and nothing was sent. Your text is kept below: attach your files again and send it in ${BUSY_RETRY_AFTER_SECONDS} seconds.`;

/** Why a post is refused before its body is read (too large, forged, rate-limited), or null. */
async function refusalBeforeReading(
  deps: ReportRouteDeps,
  req: Request,
  res: Response,
): Promise<{ status: number; message: string } | null> {
  const maxBytes = largestFormBytes(deps.config);
  if ((declaredLength(req) ?? 0) > maxBytes) {
    const files =
      deps.config.maxAttachments > 0
        ? ` (at most ${deps.config.maxAttachments} files of ${describeSize(deps.config.maxAttachmentBytes)} each, and the text)`
        : '';
    return {
      status: 413,
      message: `Your report is larger than the ${describeSize(maxBytes)} this form accepts in all${files}, so nothing was sent. ${NOT_READ}`,
    };
  }
  if (!deps.csrf.hasValidCookie(req) || sentFromAnotherSite(req, deps.config)) {
    return {
      status: 403,
      message: `This form expired, or was not sent from this site, so nothing was sent. ${NOT_READ}`,
    };
  }
  const limited = await new Promise<unknown>((resolve) => deps.submissionLimiter(req, res, resolve));
  if (limited instanceof RateLimitedError) {
    return {
      status: 429,
      message: `Too many submissions from your network in a short time, so this one was not taken. Please wait a few minutes. ${NOT_READ}`,
    };
  }
  // The limit could not be counted (the database is out of reach): fail closed, but read the form so
  // that the reporter's text comes back with the 503 (nothing is stored; see `uncounted` below).
  if (limited) {
    deps.log.warn('the submission limit could not be counted; the report is refused (503)', {
      error: loggableError(limited),
    });
    uncounted.add(req);
  }
  return null;
}

/** The form again, empty but for the message; the unread rest of the body is dropped as it arrives. */
async function answerUnread(
  deps: ReportRouteDeps,
  req: Request,
  res: Response,
  refusal: { status: number; message: string },
): Promise<void> {
  dropRestAfterAnswer(req, res);
  if (refusal.status === 503) res.set('Retry-After', String(BUSY_RETRY_AFTER_SECONDS));
  const kind = req.query.kind;
  if (!isReportKind(kind)) {
    throw refusal.status === 503
      ? new ServerBusyError(refusal.message)
      : new DomainError(
          refusal.status === 413 ? 'too-large' : refusal.status === 429 ? 'rate-limited' : 'forbidden',
          refusal.message,
        );
  }
  return renderForm(deps, req, res, kind, { values: {}, involved: [], problems: [refusal.message] }, refusal.status);
}

function attachmentProblems(config: Config, form: ParsedForm): string[] {
  const problems = form.refusedFiles
    .filter((refused) => refused.reason === 'too-large')
    .map(
      (refused) =>
        `The file "${refused.filename}" is larger than ${describeSize(config.maxAttachmentBytes)}, so nothing was sent. Attach a smaller file or leave it out; your text is kept below.`,
    );
  if (form.filesSeen > config.maxAttachments) {
    const count = form.filesLimitReached ? `more than ${form.filesSeen}` : String(form.filesSeen);
    problems.push(
      config.maxAttachments === 0
        ? `This form takes no attachments, and ${count} files were attached, so nothing was sent. Your text is kept below: send it without the files.`
        : `At most ${config.maxAttachments} files can be attached, and ${count} were, so nothing was sent. Your text is kept below: choose at most ${config.maxAttachments} files again (or put them into one archive) and send it.`,
    );
  }
  return problems;
}

async function renderForm(
  deps: ReportRouteDeps,
  req: Request,
  res: Response,
  kind: CaseKind,
  state: { values: Record<string, string>; involved: string[]; problems: string[]; submission?: string },
  status = 200,
): Promise<void> {
  const { approvers, readers, srtDelegated } = await formAudience(deps.db, kind);
  res.status(status).render('report-form.njk', {
    kind,
    title: KIND_TITLES[kind],
    fields: REPORT_FIELDS[kind],
    values: state.values,
    involved: state.involved,
    problems: state.problems,
    approvers,
    readers,
    srtDelegated,
    csrfToken: deps.csrf.tokenFor(req, res),
    // A form sent back with problems keeps its token: sending it again still makes one case.
    submissionToken: state.submission ?? newFormToken(deps, req, res),
    maxAttachmentBytes: deps.config.maxAttachmentBytes,
    maxAttachments: deps.config.maxAttachments,
  });
}

/** The token of a new form, for a form sent back without a usable one (expired, or from elsewhere). */
function newFormToken(deps: ReportRouteDeps, req: Request, res: Response): string {
  return deps.tokens.tokenFor(
    deps.tokens.newFormId(),
    ensureBrowserId(deps.config, req, res, deps.tokens.newBrowserId),
  )!.value;
}
