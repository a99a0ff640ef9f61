// The Security Response Team's page (issue 11 §2): approvers see the team on record and when its
// yearly review is due, and propose a new team or "the SRT has been reviewed" by decision (the
// proposals are then decided on /dashboard/decisions). Every dashboard page carries the SRT's
// notices (srtNoticesOnDashboard, mounted before the dashboard's pages). OWNER: helper "srt" (issues 11, 12).
import { Router, type Request, type RequestHandler, type Response } from 'express';
import { propose, settleVisibleProposals, type DecisionContext } from '../governance/decisions';
import { srtNotices, srtPageView } from '../governance/srt-view';
import type { SignedInMember } from '../auth/signed-in-member';
import { notFound } from '../errors';
import { formAction } from './case-form-action';
import type { FormProblems } from './case-page';
import type { GovernanceRouteDeps } from './governance-route-deps';
import { urlencodedForm } from './outside-keys';
import { noStore } from './protection';
import { requireSignedIn, signedInMember } from './request-context';

const PAGE = '/dashboard/srt';
const MEMBER_FIELD = /^member-([0-9a-f-]{36})$/;

/** The team form's fields as the appoint-srt payload (checked by checkSrtAppointment). */
export function teamPayload(body: Record<string, string>): unknown {
  if (body.team === 'approvers') return { team: 'approvers' };
  const memberIds = Object.keys(body)
    .map((name) => MEMBER_FIELD.exec(name)?.[1])
    .filter((id): id is string => id !== undefined && body[`member-${id}`] === 'yes');
  return { team: body.team ?? '', memberIds: memberIds.sort() };
}

export function srtRoutes(deps: GovernanceRouteDeps): Router {
  const router = Router();
  const context = (): DecisionContext => ({ now: deps.now(), periods: deps.config.decisions, events: deps.events });
  const guard = [noStore, urlencodedForm({ limit: '16kb' })];

  const render = async (req: Request, res: Response, refused?: FormProblems) => {
    const member = requireSignedIn(req, res);
    const view = await srtPageView(deps.db, member, deps.now());
    if (!view) throw notFound('There is no page at this address.');
    res.status(refused ? 400 : 200).render('dashboard/srt.njk', {
      member,
      srt: view,
      proposedNow: !refused && req.query.proposed === '1',
      problems: refused?.problems ?? {},
      typed: refused?.typed ?? {},
      csrfToken: deps.csrf.tokenFor(req, res),
    });
  };
  router.get(PAGE, noStore, async (req, res) => {
    // A proposal whose deadline passed shows its outcome, not "open" (as on /dashboard/decisions).
    const member = requireSignedIn(req, res);
    if (member.role === 'approver')
      await settleVisibleProposals(deps.db, member, 'project', { now: deps.now(), events: deps.events });
    await render(req, res);
  });

  const form = (field: string, run: (m: SignedInMember, body: Record<string, string>) => Promise<unknown>) =>
    formAction({
      csrf: deps.csrf,
      field,
      run: async (m, body) => {
        // Not an approver: no such page, and no such form.
        if (m.role !== 'approver') throw notFound('There is no page at this address.');
        await run(m, body);
      },
      done: () => `${PAGE}?proposed=1`,
      refused: (rq, rs, _m, refused) => render(rq, rs, refused),
    });
  router.post(
    `${PAGE}/appoint`,
    guard,
    form('propose-appoint-srt', (m, body) =>
      propose(deps.db, m, 'project', { kind: 'appoint-srt', payload: teamPayload(body) }, context()),
    ),
  );
  router.post(
    `${PAGE}/review`,
    guard,
    form('propose-srt-reviewed', (m) => propose(deps.db, m, 'project', { kind: 'srt-reviewed' }, context())),
  );
  return router;
}

/** Mounted before the dashboard's pages: the SRT's notices for the page's layout (res.locals.srtNotices). */
export function srtNoticesOnDashboard(deps: GovernanceRouteDeps): RequestHandler {
  return async (req, res, next) => {
    const member = signedInMember(res);
    if (req.method === 'GET' && member && (req.path === '/dashboard' || req.path.startsWith('/dashboard/')))
      res.locals.srtNotices = await srtNotices(deps.db, member, deps.now(), req.path === '/dashboard');
    next();
  };
}
