// Retention on the case page (issue 12 §3): placing a legal hold, and proposing to lift one (a
// decision, lift-legal-hold). Plain HTML forms with the CSRF token; refusals beside the form.
// OWNER: helper "retention" (issues 11, 12).
import { Router } from 'express';
import { propose } from '../governance/decisions';
import { placeLegalHold } from '../retention/legal-hold';
import { caseFormAction } from './case-form-action';
import type { GovernanceRouteDeps } from './governance-route-deps';
import { urlencodedForm } from './outside-keys';
import { noStore } from './protection';

export function retentionRoutes(deps: GovernanceRouteDeps): Router {
  const router = Router();
  const guard = [noStore, urlencodedForm({ limit: '16kb' })];

  router.post(
    '/dashboard/cases/:reference/retention/hold',
    ...guard,
    caseFormAction(deps, 'legalHold', async (member, reference) => {
      await placeLegalHold(deps.db, member, reference, deps.now());
    }),
  );

  router.post(
    '/dashboard/cases/:reference/retention/lift',
    ...guard,
    caseFormAction(deps, 'propose-lift-legal-hold', async (member, reference) => {
      await propose(
        deps.db,
        member,
        { reference },
        { kind: 'lift-legal-hold' },
        { now: deps.now(), periods: deps.config.decisions, events: deps.events },
      );
    }),
  );
  return router;
}
