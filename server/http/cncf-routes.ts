// The CNCF central record on the case page (issue 11 §4). OWNER: helper "cncf" (issues 11, 12).
// Notices are written in the browser (JSON: the committee's key out, the ciphertext in); a legal
// consultation and the proposal of a remedy are plain HTML forms (a consultation's note, encrypted
// in the browser, comes by JSON from the same form when JavaScript runs).
import { Router, type Request, type Response } from 'express';
import { propose } from '../governance/decisions';
import { noticeRecipient, submitNotice } from '../governance/cncf-notices';
import { recordLegalConsultation, remedyPayload } from '../governance/cncf-record';
import { parseRemedy } from '../governance/coc-remedy';
import { badInput } from '../errors';
import { FieldError, badField } from '../field-errors';
import { caseFormAction } from './case-form-action';
import { memberJsonWrite } from './dashboard-api-routes';
import { decisionContext } from './decision-context';
import type { GovernanceRouteDeps } from './governance-route-deps';
import { urlencodedForm } from './outside-keys';
import { noStore } from './protection';
import { requireSignedIn } from './request-context';

/** A notice or a note: a few pages of text, encrypted, in JSON. */
const MAX_NOTICE_BYTES = 512 * 1024;

export function cncfRoutes(deps: GovernanceRouteDeps): Router {
  const router = Router();
  const form = [noStore, urlencodedForm({ limit: '16kb' })];
  const json = memberJsonWrite(deps, MAX_NOTICE_BYTES);
  const reference = (req: Request) => String(req.params.reference);

  router.get('/api/dashboard/cases/:reference/cncf/committee-key', noStore, async (req, res) => {
    const member = requireSignedIn(req, res);
    res.json(await noticeRecipient(deps.db, member, reference(req)));
  });

  router.post('/api/dashboard/cases/:reference/cncf/notices', json, async (req: Request, res: Response) => {
    const member = requireSignedIn(req, res);
    const body = (req.body ?? {}) as { stage?: unknown; message?: unknown };
    if (typeof body.stage !== 'string') throw badInput('"stage" must be "incident" or "resolution".');
    if (typeof body.message !== 'string') throw badInput('"message" must be an armored OpenPGP message.');
    res
      .status(201)
      .json(
        await submitNotice(deps.db, member, reference(req), { stage: body.stage, message: body.message }, deps.events),
      );
  });

  router.post('/api/dashboard/cases/:reference/cncf/legal-consultations', json, async (req: Request, res: Response) => {
    const member = requireSignedIn(req, res);
    const body = (req.body ?? {}) as { consultedOn?: unknown; counsel?: unknown; noteMessage?: unknown };
    const text = (v: unknown, what: string) => {
      if (v !== undefined && typeof v !== 'string') throw badInput(`"${what}" must be text.`);
      return (v as string | undefined) ?? '';
    };
    res.status(201).json(
      await recordLegalConsultation(
        deps.db,
        member,
        reference(req),
        {
          consultedOn: text(body.consultedOn, 'consultedOn'),
          counsel: text(body.counsel, 'counsel'),
          note: text(body.noteMessage, 'noteMessage'),
        },
        deps.events,
        deps.now(),
      ),
    );
  });

  // Without JavaScript: when and with whom (a note needs the browser, which encrypts it).
  router.post(
    '/dashboard/cases/:reference/cncf/legal-consultations',
    form,
    caseFormAction(deps, 'consultedOn', async (m, ref, body) => {
      await recordLegalConsultation(
        deps.db,
        m,
        ref,
        { consultedOn: body.consultedOn ?? '', counsel: body.counsel ?? '' },
        deps.events,
        deps.now(),
      );
    }),
  );

  router.post(
    '/dashboard/cases/:reference/cncf/resolve',
    form,
    caseFormAction(deps, 'remedy', async (m, ref, body) => {
      let remedy;
      try {
        remedy = parseRemedy({
          resolution: body.remedyResolution,
          months: body.remedyMonths,
          namedPublicly: body.remedyNamedPublicly,
        });
      } catch (error) {
        // The same checks as the move form's, shown beside this form's own fields.
        if (error instanceof FieldError)
          throw badField(`remedy${error.field[0]!.toUpperCase()}${error.field.slice(1)}`, error.message, error);
        throw error;
      }
      await propose(
        deps.db,
        m,
        { reference: ref },
        { kind: 'resolve-coc', payload: remedyPayload(remedy) },
        await decisionContext(deps),
      );
    }),
  );

  return router;
}
