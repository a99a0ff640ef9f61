// Proposals, objections, votes (issue 10 §3): plain HTML POST forms with the CSRF token, on the case
// page and on the project's decisions page; each validates, calls one workflow function, and goes
// back to its page (PRG), or shows the page again with the problem beside its form. OWNER: helper "decisions".
import { Router, type Request, type RequestHandler, type Response } from 'express';
import {
  callVote,
  castBallot,
  propose,
  settleVisibleProposals,
  withdrawProposal,
  type DecisionContext,
  type ProposalScope,
} from '../governance/decisions';
import { projectDecisionsView } from '../governance/decisions-view';
import type { SignedInMember } from '../auth/signed-in-member';
import { notFound } from '../errors';
import { caseFormAction, formAction } from './case-form-action';
import type { GovernanceRouteDeps } from './governance-route-deps';
import { urlencodedForm } from './outside-keys';
import { noStore } from './protection';
import { requireSignedIn, signedInMember } from './request-context';
import type { FormProblems } from './case-page';
import { decisionContext } from './decision-context';

export function decisionRoutes(deps: GovernanceRouteDeps): Router {
  const router = Router();
  const context = (): Promise<DecisionContext> => decisionContext(deps);
  const guard = [noStore, urlencodedForm({ limit: '16kb' })];

  /** What each proposal form posts, as one workflow call on a scope. */
  const steps = {
    propose: async (m: SignedInMember, scope: ProposalScope, body: Record<string, string>) =>
      propose(
        deps.db,
        m,
        scope,
        { kind: body.kind ?? '', subjectMemberId: body.subjectMemberId, subjectConflictId: body.subjectConflictId },
        await context(),
      ),
    call: async (m: SignedInMember, scope: ProposalScope, id: string, body: Record<string, string>) =>
      callVote(deps.db, m, scope, id, body.as === 'objection' ? 'objection' : 'demand', await context()),
    ballot: async (m: SignedInMember, scope: ProposalScope, id: string, body: Record<string, string>) =>
      castBallot(deps.db, m, scope, id, body.choice ?? '', await context()),
    withdraw: async (m: SignedInMember, scope: ProposalScope, id: string) =>
      withdrawProposal(deps.db, m, scope, id, await context()),
  };
  const onProposal = (req: Request) => `proposal-${String(req.params.id)}`;

  // On a case: the case page shows a refusal beside its form.
  const caseForm =
    (
      run: (m: SignedInMember, scope: ProposalScope, req: Request, body: Record<string, string>) => Promise<unknown>,
      field: (req: Request) => string,
    ) =>
    (req: Request, res: Response) =>
      caseFormAction(deps, field(req), async (m, reference, body) => {
        await run(m, { reference }, req, body);
      })(req, res);
  router.post(
    '/dashboard/cases/:reference/proposals',
    guard,
    caseForm(
      (m, scope, _req, body) => steps.propose(m, scope, body),
      () => 'propose-kind',
    ),
  );
  router.post(
    '/dashboard/cases/:reference/proposals/:id/call-vote',
    guard,
    caseForm((m, scope, req, body) => steps.call(m, scope, String(req.params.id), body), onProposal),
  );
  router.post(
    '/dashboard/cases/:reference/proposals/:id/ballot',
    guard,
    caseForm((m, scope, req, body) => steps.ballot(m, scope, String(req.params.id), body), onProposal),
  );
  router.post(
    '/dashboard/cases/:reference/proposals/:id/withdraw',
    guard,
    caseForm((m, scope, req) => steps.withdraw(m, scope, String(req.params.id)), onProposal),
  );

  // On the project: approvers only (anyone else finds no such page).
  const renderProjectPage = async (req: Request, res: Response, refused?: FormProblems) => {
    const member = requireSignedIn(req, res);
    const view = await projectDecisionsView(deps.db, member, deps.now());
    if (!view) throw notFound('There is no such page.');
    res.status(refused ? 400 : 200).render('dashboard/decisions.njk', {
      member,
      decisions: view,
      problems: refused?.problems ?? {},
      typed: refused?.typed ?? {},
      csrfToken: deps.csrf.tokenFor(req, res),
    });
  };
  router.get('/dashboard/decisions', noStore, (req, res) => renderProjectPage(req, res));

  const projectForm =
    (
      run: (m: SignedInMember, req: Request, body: Record<string, string>) => Promise<unknown>,
      field: (req: Request) => string,
    ) =>
    (req: Request, res: Response) =>
      formAction({
        csrf: deps.csrf,
        field: field(req),
        run: async (m, body) => {
          await run(m, req, body);
        },
        done: () => '/dashboard/decisions',
        refused: (rq, rs, _m, refused) => renderProjectPage(rq, rs, refused),
      })(req, res);
  router.post(
    '/dashboard/decisions/proposals',
    guard,
    projectForm(
      (m, _req, body) => steps.propose(m, 'project', body),
      () => 'propose-kind',
    ),
  );
  router.post(
    '/dashboard/decisions/proposals/:id/call-vote',
    guard,
    projectForm((m, req, body) => steps.call(m, 'project', String(req.params.id), body), onProposal),
  );
  router.post(
    '/dashboard/decisions/proposals/:id/ballot',
    guard,
    projectForm((m, req, body) => steps.ballot(m, 'project', String(req.params.id), body), onProposal),
  );
  router.post(
    '/dashboard/decisions/proposals/:id/withdraw',
    guard,
    projectForm((m, req) => steps.withdraw(m, 'project', String(req.params.id)), onProposal),
  );

  return router;
}

/**
 * Mounted before the dashboard's pages: the case page and the decisions page first settle what is
 * due by the decisions clock (which tests move), so neither shows a final outcome as still open.
 */
export function settleDueDecisions(deps: GovernanceRouteDeps): RequestHandler {
  return async (req, res, next) => {
    const member = signedInMember(res);
    if (req.method === 'GET' && member) {
      const onCase = /^\/dashboard\/cases\/([^/]+)$/.exec(req.path);
      const ctx = { now: deps.now(), events: deps.events };
      if (onCase) await settleVisibleProposals(deps.db, member, { reference: safeDecode(onCase[1]!) }, ctx);
      else if (req.path === '/dashboard/decisions') await settleVisibleProposals(deps.db, member, 'project', ctx);
    }
    next();
  };
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
