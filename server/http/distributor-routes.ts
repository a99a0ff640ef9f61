// OWNER: helper "distributors" (issues 11, 12).
import { Router } from 'express';
import type { GovernanceRouteDeps } from './governance-route-deps';

export function distributorRoutes(_deps: GovernanceRouteDeps): Router {
  const router = Router();
  return router;
}
