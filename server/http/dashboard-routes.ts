import { Router, type NextFunction, type Request, type Response } from 'express';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import { caseTimeline } from '../../db/case-view.queries';
import { assembleMessage } from '../../crypto/split-message';
import { appendAudit } from '../audit';
import type { CaseEvents } from '../case-events';
import { listCasesForMember, parseCaseListQuery } from '../case-list';
import { assignCase, moveCase, openCase, requireReadableCase, setEmbargo, setExpedited, setSeverity } from '../case-work';
import { isOverdue } from '../clocks';
import { badInput, forbidden, notFound } from '../errors';
import { COC_RESOLUTIONS, STATES, stateOf } from '../workflow';
import { field } from './auth-forms';
import { urlencodedForm } from './outside-keys';
import type { Csrf } from './protection';
import { noStore } from './protection';
import { signedInMember, type SignedInMember } from './request-context';

/** One label per status name for the counts (a name both kinds use has the same meaning in both). */
const STATUS_LABELS: Record<string, string> = Object.assign({}, ...Object.values(STATES).map((states) => Object.fromEntries(Object.entries(states).map(([name, s]) => [name, s.label]))));

export interface DashboardRouteDeps {
  db: Kysely<Database>;
  csrf: Csrf;
  events: CaseEvents;
  mailStatus?: () => Promise<{ relayConfigured: boolean; waiting: number }>;
}

/** The triage dashboard's pages: plain HTML that lists and moves cases; the bundle decrypts content. */
export function dashboardRoutes(deps: DashboardRouteDeps): Router {
  const router = Router();
  router.use('/dashboard', noStore, requireMemberPage, urlencodedForm({ limit: '64kb' }));

  router.get('/dashboard', async (req, res) => {
    const member = signedInMember(res)!;
    const query = parseCaseListQuery(req.query as Record<string, unknown>);
    const [page, mail] = await Promise.all([listCasesForMember(deps.db, member, query), deps.mailStatus?.().catch(() => null) ?? null]);
    res.render('dashboard/list.njk', { member, page, query, mail, states: STATES, statusLabels: STATUS_LABELS, csrfToken: deps.csrf.tokenFor(req, res) });
  });

  router.get('/dashboard/key', (req, res) => {
    res.render('dashboard/key.njk', { member: signedInMember(res), csrfToken: deps.csrf.tokenFor(req, res) });
  });

  router.get('/dashboard/cases/:reference', async (req, res) => {
    const member = signedInMember(res)!;
    const view = await openCase(deps.db, member, String(req.params.reference));
    res.render('dashboard/case.njk', {
      member,
      view,
      state: stateOf(view.detail.kind, view.detail.status),
      moves: view.moves.map((to) => ({ to, label: stateOf(view.detail.kind, to).label })),
      overdue: isOverdue(view.detail),
      resolutions: COC_RESOLUTIONS,
      csrfToken: deps.csrf.tokenFor(req, res),
    });
  });

  router.get('/dashboard/cases/:reference/messages/:id.asc', async (req, res) => {
    const member = signedInMember(res)!;
    const found = await requireReadableCase(deps.db, member, String(req.params.reference));
    const entry = (await caseTimeline(deps.db, found.id, member.id)).find((m) => m.id === req.params.id);
    if (!entry || !entry.packet) throw notFound('This message was not encrypted to your key.');
    await appendAudit(deps.db, { caseId: found.id, actorMemberId: member.id, action: 'case.exported', details: { messageId: entry.id } });
    res.set('Content-Disposition', `attachment; filename="${found.reference}-${entry.role}-${entry.id.slice(0, 8)}.asc"`);
    res.type('application/pgp-encrypted').send(await assembleMessage(entry.packet, entry.body));
  });

  // A form field as one string ('' when absent); a field sent twice is refused, not guessed at.
  type Field = (name: string) => string;
  const oneField = (body: unknown, name: string): string => {
    if (Array.isArray((body as Record<string, unknown> | undefined)?.[name])) throw badInput(`The form sent "${name}" more than once. Reload the page and try again.`);
    return field(body, name);
  };
  const action = (run: (member: SignedInMember, reference: string, body: Field) => Promise<void>) =>
    async (req: Request, res: Response) => {
      if (!deps.csrf.isValid(req)) throw forbidden('This form expired. Go back, reload the page and try again.');
      const member = signedInMember(res)!;
      const reference = String(req.params.reference);
      await run(member, reference, (name) => oneField(req.body, name));
      res.redirect(303, `/dashboard/cases/${encodeURIComponent(reference.toUpperCase())}`);
    };

  router.post('/dashboard/cases/:reference/status', action((m, ref, body) => moveCase(deps.db, m, ref, body('to'), { duplicateOf: body('duplicateOf'), resolution: body('resolution') })));
  router.post('/dashboard/cases/:reference/assign', action((m, ref, body) => assignCase(deps.db, m, ref, body('assignee') || null, deps.events)));
  router.post('/dashboard/cases/:reference/severity', action((m, ref, body) => setSeverity(deps.db, m, ref, { vector: body('vector'), cwe: body('cwe'), affectedVersions: body('affectedVersions') })));
  router.post('/dashboard/cases/:reference/embargo', action((m, ref, body) => setEmbargo(deps.db, m, ref, body('embargoUntil'))));
  router.post('/dashboard/cases/:reference/expedite', action((m, ref, body) => setExpedited(deps.db, m, ref, body('expedited') === '1')));

  return router;
}

/** Pages for members only: a visitor without a session goes to sign in, and comes back. */
function requireMemberPage(req: Request, res: Response, next: NextFunction): void {
  if (signedInMember(res)) return next();
  res.redirect(303, `/signin?next=${encodeURIComponent(req.originalUrl)}`);
}
