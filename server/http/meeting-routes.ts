// OWNER: helper "meetings" (issues 11, 12).
import { Router } from 'express';
import type { GovernanceRouteDeps } from './governance-route-deps';

export function meetingRoutes(_deps: GovernanceRouteDeps): Router {
  const router = Router();
  return router;
}
