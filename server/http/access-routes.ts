// Grants, revocations and the committee referral's sending (issue 10 §1, §4). OWNER: helper "access".
// The bundle (server/browser/grants.ts) asks which of the member's cases wait for a grant it can
// fulfil, fetches the work for each (the grantees' public keys and this member's own packets), and
// posts the re-wrapped packets; the grantee's browser reports a packet that does not decrypt.
import { Router, type Request, type Response } from 'express';
import { DomainError, forbidden } from '../errors';
import { casesToGrant, fulfilGrant, grantTasks, reportFailedGrants } from '../governance/grants';
import { sendLaterMessages } from '../governance/referral';
import { parseCaseReference } from '../cases/case-reference';
import { renderCasePage } from './case-page';
import { memberJsonWrite } from './dashboard-api-routes';
import type { GovernanceRouteDeps } from './governance-route-deps';
import { requireSignedIn, signedInMember } from './request-context';

/** A thousand packets of RSA-4096 in base64 with their ids fit easily; a body is never sent. */
const MAX_GRANT_BYTES = 4 * 1024 * 1024;
const MAX_FAILURE_BYTES = 512 * 1024;

export function accessRoutes(deps: GovernanceRouteDeps): Router {
  const router = Router();

  router.get('/api/dashboard/grants', async (req, res) => {
    const member = requireSignedIn(req, res);
    res.json({ cases: await casesToGrant(deps.db, member) });
  });

  router.get('/api/dashboard/cases/:reference/grants', async (req, res) => {
    const member = requireSignedIn(req, res);
    res.json(await grantTasks(deps.db, member, String(req.params.reference)));
  });

  router.post(
    '/api/dashboard/cases/:reference/grants',
    memberJsonWrite(deps, MAX_GRANT_BYTES),
    async (req: Request, res: Response) => {
      const member = requireSignedIn(req, res);
      const body = (req.body ?? {}) as { grantee?: unknown; packets?: unknown };
      res
        .status(201)
        .json(await fulfilGrant(deps.db, member, String(req.params.reference), body, deps.events, deps.now()));
    },
  );

  router.post(
    '/api/dashboard/cases/:reference/grants/failures',
    memberJsonWrite(deps, MAX_FAILURE_BYTES),
    async (req: Request, res: Response) => {
      const member = requireSignedIn(req, res);
      const body = (req.body ?? {}) as { messageIds?: unknown };
      res.json(await reportFailedGrants(deps.db, member, String(req.params.reference), body));
    },
  );

  // A plain form on the case page: "Send later messages to the committee".
  router.post('/dashboard/cases/:reference/referral/later', async (req: Request, res: Response) => {
    if (!deps.csrf.isValid(req)) throw forbidden('This form expired. Go back, reload the page and try again.');
    const member = signedInMember(res)!;
    const reference = String(req.params.reference);
    try {
      await sendLaterMessages(deps.db, member, reference);
    } catch (error) {
      if (!(error instanceof DomainError) || error.kind !== 'bad-input') throw error;
      const pageDeps = { ...deps, grantWaitWarningHours: deps.config.grantWaitWarningHours };
      return renderCasePage(pageDeps, req, res, member, reference, {
        problems: { referLater: error.message },
        typed: {},
      });
    }
    res.redirect(303, `/dashboard/cases/${encodeURIComponent(parseCaseReference(reference) ?? reference)}`);
  });

  return router;
}
