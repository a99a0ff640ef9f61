// Conflicts of interest and the liaison's work (issue 10 §2, §5). OWNER: helper "conflicts".
import { Router } from 'express';
import type { GovernanceRouteDeps } from './governance-route-deps';

export function conflictRoutes(_deps: GovernanceRouteDeps): Router {
  return Router();
}
