import { Router, type Request, type RequestHandler, type Response } from 'express';
import type { Kysely } from 'kysely';
import type { CaseKind, Database } from '../../db/database';
import { listMembersWithKeys } from '../../db/members.queries';
import type { Config } from '../config';
import type { Logger } from '../log';
import { DomainError, badInput } from '../errors';
import { srtStatus } from '../governance';
import { REPORT_FIELDS, KIND_TITLES, describeSize, composeReportDocument, isReportKind, pickReportFields, reportFieldProblems } from '../report-form';
import { submitPlaintextReport } from '../reports';
import type { CaseEvents } from '../case-events';
import { parseForm } from './form-parser';
import { withoutPrototype } from './outside-keys';
import { noStore, RateLimitedError, type Csrf } from './protection';

const STORE_FAILED =
  'Your report could not be stored just now, so nothing was saved. Your text is kept below: please send it again in a few minutes.';

export interface ReportRouteDeps {
  db: Kysely<Database>;
  config: Config;
  csrf: Csrf;
  submissionLimiter: RequestHandler;
  log: Logger;
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
    if (!isReportKind(kind)) throw badInput(`There is no kind of report called "${String(kind)}". Choose a security report or a Code of Conduct report.`);
    await renderForm(deps, req, res, kind, { values: {}, involved: [], problems: [] });
  });

  router.post('/report', async (req, res) => {
    const form = await parseForm(req, { maxFileBytes: deps.config.maxAttachmentBytes, maxFiles: deps.config.maxAttachments });
    req.body = withoutPrototype(Object.entries(form.fields).map(([name, values]) => [name, values[0]] as const));
    const kind = form.fields.kind?.[0];
    if (!isReportKind(kind)) throw badInput(`There is no kind of report called "${kind ?? ''}". Choose a security report or a Code of Conduct report.`);
    const values = pickReportFields(kind, form.fields);
    const involved = form.fields.involved ?? [];

    const problems: string[] = [];
    let status = 400;
    const limited = await new Promise<unknown>((resolve) => deps.submissionLimiter(req, res, resolve));
    if (limited instanceof RateLimitedError) {
      problems.push(limited.message);
      status = 429;
    } else if (!deps.csrf.isValid(req)) {
      problems.push('This form expired, or was not sent from this site. Check your text below and send it again.');
      status = 403;
    }
    problems.push(...reportFieldProblems(kind, values));
    for (const refused of form.refusedFiles) {
      problems.push(
        refused.reason === 'too-large'
          ? `The file "${refused.filename}" is larger than ${describeSize(deps.config.maxAttachmentBytes)}, so nothing was sent. Attach a smaller file or leave it out; your text is kept below.`
          : `At most ${deps.config.maxAttachments} files can be attached; "${refused.filename}" was one too many.`,
      );
      if (status === 400) status = 413;
    }
    if (problems.length > 0) return renderForm(deps, req, res, kind, { values, involved, problems }, status);

    try {
      const approvers = (await listMembersWithKeys(deps.db)).filter((m) => m.role === 'approver');
      const involvedNames = approvers.filter((a) => involved.includes(a.id)).map((a) => a.name);
      const submitted = await submitPlaintextReport(
        deps.db,
        { kind, involvedIds: involved, document: composeReportDocument(kind, values, involvedNames), attachments: form.files },
        // 'fast': the server would otherwise spend ~1 s of Argon2 per report, for no gain (crypto/reporter-key.ts).
        { channel: 'web-no-js', reporterKeyLock: 'fast', targets: deps.config, events: deps.events },
      );
      res.status(201).render('report-confirmation.njk', { reference: submitted.reference, receipt: submitted.receipt, kind, title: KIND_TITLES[kind] });
    } catch (error) {
      if (error instanceof DomainError) {
        return renderForm(deps, req, res, kind, { values, involved, problems: [error.message] }, error.kind === 'not-configured' ? 503 : 400);
      }
      // The database (or anything else) failed: nothing was stored, and the reporter keeps the text.
      deps.log.error('a no-JavaScript report could not be stored', { error });
      return renderForm(deps, req, res, kind, { values, involved, problems: [STORE_FAILED] }, 503);
    }
  });

  return router;
}

async function renderForm(
  deps: ReportRouteDeps,
  req: Request,
  res: Response,
  kind: CaseKind,
  state: { values: Record<string, string>; involved: string[]; problems: string[] },
  status = 200,
): Promise<void> {
  // Without the database the form still comes back with the reporter's text (approvers unknown).
  const members = await listMembersWithKeys(deps.db).catch(() => []);
  const approvers = members.filter((m) => m.role === 'approver').map((m) => ({ id: m.id, name: m.name }));
  const readers = kind === 'security' ? srtStatus(members).members.map((m) => m.name) : approvers.map((a) => a.name);
  res.status(status).render('report-form.njk', {
    kind,
    title: KIND_TITLES[kind],
    fields: REPORT_FIELDS[kind],
    values: state.values,
    involved: state.involved,
    problems: state.problems,
    approvers,
    readers,
    srtDelegated: srtStatus(members).delegated,
    csrfToken: deps.csrf.tokenFor(req, res),
    maxAttachmentBytes: deps.config.maxAttachmentBytes,
    maxAttachments: deps.config.maxAttachments,
  });
}
