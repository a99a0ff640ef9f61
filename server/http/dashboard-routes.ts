import { Router, type NextFunction, type Request, type Response } from 'express';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import type { CaseEvents } from '../cases/case-events';
import { listCasesForMember, parseCaseListQuery } from '../cases/case-list';
import { assignCase, checkCaseMove, moveCase, setEmbargo, setExpedited, setSeverity } from '../cases/case-work';
import { reopenCase } from '../cases/case-reopen';
import { downloadCaseMessage } from '../cases/cases';
import { memberFingerprint } from '../governance/members';
import { DEFAULT_GRANT_WAIT_WARNING_HOURS } from '../governance/access-view';
import { casesWaitingForGrant } from '../governance/grants';
import { DomainError, badInput, forbidden } from '../errors';
import { FieldError } from '../field-errors';
import { STATES } from '../cases/workflow';
import { keySessionTag, renderCasePage } from './case-page';
import { caseFormAction, type CaseFormRun } from './case-form-action';
import { urlencodedForm } from './outside-keys';
import type { Csrf } from './protection';
import { noStore } from './protection';
import { signedInMember } from './request-context';

/** One label per status name for the counts (a name both kinds use has the same meaning in both). */
const STATUS_LABELS: Record<string, string> = Object.assign(
  {},
  ...Object.values(STATES).map((states) =>
    Object.fromEntries(Object.entries(states).map(([name, s]) => [name, s.label])),
  ),
);

export interface DashboardRouteDeps {
  db: Kysely<Database>;
  csrf: Csrf;
  events: CaseEvents;
  /** Whether mail can go out, and how many notifications to this member wait: never a figure over others' mail. */
  mailStatus?: (memberId: string) => Promise<{ relayConfigured: boolean; waiting: number }>;
  /** The clock of decisions shown on the case page (deadlines); tests move it. */
  now?: () => Date;
  /** A pending grant older than this is flagged on the case page (GRANT_WAIT_WARNING_HOURS). */
  grantWaitWarningHours?: number;
}

/** The triage dashboard's pages: plain HTML that lists and moves cases; the bundle decrypts content. */
export function dashboardRoutes(deps: DashboardRouteDeps): Router {
  const router = Router();
  router.use('/dashboard', noStore, requireMemberPage, urlencodedForm({ limit: '64kb' }), (_req, res, next) => {
    res.locals.keySession = keySessionTag(signedInMember(res)!);
    next();
  });

  router.get('/dashboard', async (req, res) => {
    const member = signedInMember(res)!;
    const query = parseCaseListQuery(req.query as Record<string, unknown>);
    const hours = deps.grantWaitWarningHours ?? DEFAULT_GRANT_WAIT_WARNING_HOURS;
    const [page, mail, grantsWaiting] = await Promise.all([
      listCasesForMember(deps.db, member, query),
      deps.mailStatus?.(member.id).catch(() => null) ?? null,
      casesWaitingForGrant(deps.db, member, hours, deps.now?.() ?? new Date()),
    ]);
    res.render('dashboard/list.njk', {
      member,
      page,
      query,
      mail,
      grantsWaiting: { cases: grantsWaiting, hours },
      states: STATES,
      statusLabels: STATUS_LABELS,
      // Back from a case this member just left (a declared hard conflict, the committee's case closed).
      left: req.query.left === 'conflict' || req.query.left === 'committee-closed' ? req.query.left : null,
      csrfToken: deps.csrf.tokenFor(req, res),
    });
  });

  router.get('/dashboard/key', async (req, res) => {
    const member = signedInMember(res)!;
    res.render('dashboard/key.njk', {
      member,
      fingerprint: await memberFingerprint(deps.db, member.email),
      csrfToken: deps.csrf.tokenFor(req, res),
    });
  });

  router.get('/dashboard/cases/:reference', async (req, res) => {
    await renderCasePage(deps, req, res, signedInMember(res)!, String(req.params.reference));
  });

  router.get('/dashboard/cases/:reference/messages/:id.asc', async (req, res) => {
    const member = signedInMember(res)!;
    const { reference, message } = await downloadCaseMessage(
      deps.db,
      member,
      String(req.params.reference),
      String(req.params.id),
    );
    res.set('Content-Disposition', `attachment; filename="${reference}-${message.role}-${message.id.slice(0, 8)}.asc"`);
    res.type('application/pgp-encrypted').send(message.armored);
  });

  const action = (field: string, run: CaseFormRun) => caseFormAction(deps, field, run);

  router.post(
    '/dashboard/cases/:reference/status',
    action('move', async (m, ref, body, req, res) => {
      const to = body.to ?? '';
      const details = {
        duplicateOf: body.duplicateOf,
        resolution: body.resolution,
        months: body.months,
        namedPublicly: body.namedPublicly,
      };
      // Closing ends the work on a case: every closing move is confirmed on a page of its own, with or without JavaScript.
      if (body.confirm !== 'yes') {
        const check = await checkCaseMove(deps.db, m, ref, to, details);
        if (check.closing) {
          res.render('dashboard/confirm-close.njk', {
            member: m,
            ...check,
            moveTo: to,
            details,
            csrfToken: deps.csrf.tokenFor(req, res),
          });
          return true;
        }
      }
      await moveCase(deps.db, m, ref, to, details);
    }),
  );
  router.post(
    '/dashboard/cases/:reference/reopen',
    action('reason', async (m, ref, body) => {
      await reopenCase(
        deps.db,
        m,
        ref,
        body.reasonMessage ? { message: body.reasonMessage } : { text: body.reason ?? '' },
        deps.events,
      );
    }),
  );
  router.post(
    '/dashboard/cases/:reference/assign',
    action('assignee', (m, ref, body) =>
      assignCase(deps.db, m, ref, body.assignee ? body.assignee : null, deps.events),
    ),
  );
  router.post(
    '/dashboard/cases/:reference/severity',
    action('vector', (m, ref, body) =>
      setSeverity(deps.db, m, ref, {
        vector: body.vector ?? '',
        cwe: body.cwe ?? '',
        affectedVersions: body.affectedVersions ?? '',
      }),
    ),
  );
  router.post(
    '/dashboard/cases/:reference/embargo',
    action('embargoUntil', (m, ref, body) => setEmbargo(deps.db, m, ref, body.embargoUntil ?? '')),
  );
  router.post(
    '/dashboard/cases/:reference/expedite',
    action('expedited', (m, ref, body) => setExpedited(deps.db, m, ref, body.expedited === '1')),
  );

  return router;
}

/** Pages for members only: a visitor without a session goes to sign in, and comes back. */
function requireMemberPage(req: Request, res: Response, next: NextFunction): void {
  if (signedInMember(res)) return next();
  res.redirect(303, `/signin?next=${encodeURIComponent(req.originalUrl)}`);
}
