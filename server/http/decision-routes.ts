// Proposals, objections, votes (issue 10 §3). OWNER: helper "decisions".
import { Router } from 'express';
import type { GovernanceRouteDeps } from './governance-route-deps';

export function decisionRoutes(_deps: GovernanceRouteDeps): Router {
  return Router();
}
