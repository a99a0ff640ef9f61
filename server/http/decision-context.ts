// What every decision step of a governance router needs: the decisions clock, the periods as the
// charter sets them now (read per request, so a change holds on every instance at once), the events.
import type { DecisionContext } from '../governance/decisions';
import { decisionPeriods } from '../governance/charter';
import type { GovernanceRouteDeps } from './governance-route-deps';

export async function decisionContext(
  deps: Pick<GovernanceRouteDeps, 'db' | 'config' | 'events' | 'now'>,
): Promise<DecisionContext> {
  return { now: deps.now(), periods: await decisionPeriods(deps.db, deps.config), events: deps.events };
}
