// OWNER: helper "charter" (issues 11, 12).
import { Router } from 'express';
import type { GovernanceRouteDeps } from './governance-route-deps';

export function charterRoutes(_deps: GovernanceRouteDeps): Router {
  const router = Router();
  return router;
}
