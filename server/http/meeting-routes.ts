// OWNER: helper "meetings" (issues 11, 12). Closed meetings on a case: plain HTML forms with the CSRF
// token to call, move and cancel a meeting and to record attendance; one JSON write for the minutes,
// which the member's browser encrypts to the case's readers.
import { Router } from 'express';
import { badInput, forbidden } from '../errors';
import { FieldError, badField } from '../field-errors';
import { parseMeetingInput, type MeetingInput } from '../meetings/meeting-input';
import { addMinutes, recordAttendance } from '../meetings/meeting-record';
import { callMeeting, cancelMeeting, moveMeeting } from '../meetings/meetings';
import { caseFormAction } from './case-form-action';
import type { GovernanceRouteDeps } from './governance-route-deps';
import { readJsonBody } from './json-body';
import { noStore } from './protection';
import { requireSignedIn } from './request-context';

const MAX_MINUTES_BYTES = 4 * 1024 * 1024;

/** The move form names its fields moveStartsAt, moveDurationMinutes, moveLink (the call form is on the same page). */
function movedInput(body: Record<string, string>, now: Date): MeetingInput {
  try {
    return parseMeetingInput(
      { startsAt: body.moveStartsAt, durationMinutes: body.moveDurationMinutes, link: body.moveLink },
      now,
    );
  } catch (error) {
    if (!(error instanceof FieldError)) throw error;
    const field = `move${error.field[0]!.toUpperCase()}${error.field.slice(1)}`;
    throw badField(field, error.message, error);
  }
}

export function meetingRoutes(deps: GovernanceRouteDeps): Router {
  const router = Router();
  const meetingId = (params: Record<string, unknown>) => String(params.meetingId);

  router.post(
    '/dashboard/cases/:reference/meetings',
    caseFormAction(deps, 'startsAt', async (member, reference, body) => {
      await callMeeting(deps.db, member, reference, parseMeetingInput(body, deps.now()), deps.events);
    }),
  );

  router.post(
    '/dashboard/cases/:reference/meetings/:meetingId/move',
    caseFormAction(deps, 'moveStartsAt', async (member, reference, body, req) => {
      const id = meetingId(req.params);
      const now = deps.now();
      await moveMeeting(deps.db, member, reference, id, movedInput(body, now), now, deps.events);
    }),
  );

  router.post(
    '/dashboard/cases/:reference/meetings/:meetingId/cancel',
    caseFormAction(deps, 'moveStartsAt', async (member, reference, _body, req) => {
      await cancelMeeting(deps.db, member, reference, meetingId(req.params), deps.now(), deps.events);
    }),
  );

  router.post(
    '/dashboard/cases/:reference/meetings/:meetingId/attendance',
    caseFormAction(deps, 'attended', async (member, reference, body, req) => {
      const attended = Object.keys(body)
        .filter((name) => name.startsWith('attended-') && body[name] === 'yes')
        .map((name) => name.slice('attended-'.length));
      await recordAttendance(deps.db, member, reference, meetingId(req.params), attended, deps.now());
    }),
  );

  router.post('/api/dashboard/cases/:reference/meetings/:meetingId/minutes', noStore, async (req, res) => {
    const member = requireSignedIn(req, res);
    if (!deps.csrf.isValid(req)) throw forbidden('The page is out of date (CSRF token). Reload it and try again.');
    const body = (await readJsonBody(req, res, { budget: deps.uploads, maxBytes: MAX_MINUTES_BYTES })) as {
      message?: unknown;
    } | null;
    if (typeof body?.message !== 'string') throw badInput('"message" must be an armored OpenPGP message.');
    res
      .status(201)
      .json(
        await addMinutes(
          deps.db,
          member,
          String(req.params.reference),
          meetingId(req.params),
          body.message,
          deps.events,
        ),
      );
  });

  return router;
}
