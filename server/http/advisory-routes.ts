// The advisory of a security case (issue 12 §1). OWNER: helper "advisory". JSON for the reader's
// browser: the current draft's ciphertext (GET), a new draft encrypted there (POST), the fact of an
// export (POST, the format only); and the case page's plain form that proposes publishing it.
import { Router } from 'express';
import { propose } from '../governance/decisions';
import { advisoryForBrowser, recordAdvisoryExport, saveAdvisoryDraft } from '../disclosure/advisory-drafts';
import { badInput } from '../errors';
import { caseFormAction } from './case-form-action';
import { memberJsonWrite } from './dashboard-api-routes';
import type { GovernanceRouteDeps } from './governance-route-deps';
import { urlencodedForm } from './outside-keys';
import { noStore } from './protection';
import { requireSignedIn } from './request-context';

/** A draft is text: a few hundred kilobytes at the very most, encrypted to a handful of readers. */
const MAX_DRAFT_BYTES = 2 * 1024 * 1024;

export function advisoryRoutes(deps: GovernanceRouteDeps): Router {
  const router = Router();
  const path = '/api/dashboard/cases/:reference/advisory';

  router.get(path, noStore, async (req, res) => {
    const member = requireSignedIn(req, res);
    res.json(await advisoryForBrowser(deps.db, member, String(req.params.reference), deps.config.advisory));
  });

  router.post(path, noStore, memberJsonWrite(deps, MAX_DRAFT_BYTES), async (req, res) => {
    const member = requireSignedIn(req, res);
    const body = (req.body ?? {}) as { message?: unknown };
    if (typeof body.message !== 'string') throw badInput('"message" must be an armored OpenPGP message.');
    res
      .status(201)
      .json(await saveAdvisoryDraft(deps.db, member, String(req.params.reference), body.message, deps.events));
  });

  router.post(`${path}/exports`, noStore, memberJsonWrite(deps, 1024), async (req, res) => {
    const member = requireSignedIn(req, res);
    const body = (req.body ?? {}) as { format?: unknown; draftId?: unknown };
    await recordAdvisoryExport(deps.db, member, String(req.params.reference), body.format, body.draftId);
    res.status(201).json({ recorded: true });
  });

  router.post(
    '/dashboard/cases/:reference/advisory/publish',
    noStore,
    urlencodedForm({ limit: '4kb' }),
    caseFormAction(deps, 'propose-publish-advisory', async (member, reference) => {
      await propose(
        deps.db,
        member,
        { reference },
        { kind: 'publish-advisory' },
        { now: deps.now(), periods: deps.config.decisions, events: deps.events },
      );
    }),
  );

  return router;
}
