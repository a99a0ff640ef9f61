// Grants, revocations and the committee referral's sending (issue 10 §1, §4). OWNER: helper "access".
import { Router } from 'express';
import type { GovernanceRouteDeps } from './governance-route-deps';

export function accessRoutes(_deps: GovernanceRouteDeps): Router {
  return Router();
}
