// OWNER: helper "cncf" (issues 11, 12).
import { Router } from 'express';
import type { GovernanceRouteDeps } from './governance-route-deps';

export function cncfRoutes(_deps: GovernanceRouteDeps): Router {
  const router = Router();
  return router;
}
