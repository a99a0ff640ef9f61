// Conflicts of interest and the liaison's work (issue 10 §2, §5). OWNER: helper "conflicts".
// Plain HTML forms with the CSRF token (record, declare), and one JSON write for the liaison's
// entry "the committee's decision", which the liaison's browser encrypts to the readers.
import { Router, type Response } from 'express';
import { recordCommitteeDecision } from '../governance/committee-decision';
import { recordConflict, type RecordedConflict } from '../governance/conflicts';
import { badInput, forbidden } from '../errors';
import { FieldError, badField } from '../field-errors';
import { caseFormAction } from './case-form-action';
import type { GovernanceRouteDeps } from './governance-route-deps';
import { readJsonBody } from './json-body';
import { noStore } from './protection';
import { requireSignedIn } from './request-context';

const MAX_DECISION_BYTES = 4 * 1024 * 1024;

/** Where a member who just took themself out of a case goes: their dashboard, which says why. */
export const LEFT_CASE_URL = '/dashboard?left=conflict';

export function conflictRoutes(deps: GovernanceRouteDeps): Router {
  const router = Router();
  const done = (res: Response, recorded: RecordedConflict) => {
    if (!recorded.selfExcluded) return false;
    res.redirect(303, LEFT_CASE_URL);
    return true;
  };

  router.post(
    '/dashboard/cases/:reference/conflicts',
    caseFormAction(deps, 'memberId', async (member, reference, body, _req, res) =>
      done(
        res,
        await recordConflict(
          deps.db,
          member,
          reference,
          { memberId: body.memberId ?? '', ground: body.ground ?? '' },
          { now: deps.now(), events: deps.events },
        ),
      ),
    ),
  );

  router.post(
    '/dashboard/cases/:reference/conflicts/declare',
    caseFormAction(deps, 'declareGround', async (member, reference, body, _req, res) => {
      try {
        return done(
          res,
          await recordConflict(
            deps.db,
            member,
            reference,
            { memberId: member.id, ground: body.declareGround ?? '' },
            { now: deps.now(), events: deps.events },
          ),
        );
      } catch (error) {
        // The declaration's one field is its ground: every refusal of it belongs beside that field.
        if (error instanceof FieldError) throw badField('declareGround', error.message, error);
        throw error;
      }
    }),
  );

  router.post('/api/dashboard/cases/:reference/committee-decision', noStore, async (req, res) => {
    const member = requireSignedIn(req, res);
    if (!deps.csrf.isValid(req)) throw forbidden('The page is out of date (CSRF token). Reload it and try again.');
    const body = (await readJsonBody(req, res, { budget: deps.uploads, maxBytes: MAX_DECISION_BYTES })) as {
      message?: unknown;
      committeeClosed?: unknown;
    } | null;
    if (typeof body?.message !== 'string') throw badInput('"message" must be an armored OpenPGP message.');
    if (body.committeeClosed !== undefined && typeof body.committeeClosed !== 'boolean')
      throw badInput('"committeeClosed" must be true or false.');
    const stored = await recordCommitteeDecision(
      deps.db,
      member,
      String(req.params.reference),
      { message: body.message, committeeClosed: body.committeeClosed === true },
      deps.events,
    );
    res
      .status(201)
      .json({ ...stored, ...(stored.appointmentEnded ? { next: '/dashboard?left=committee-closed' } : {}) });
  });

  return router;
}
