// The distributors list page (/dashboard/distributors, approvers and the SRT) with its plain HTML
// forms, and the case page's JSON for sending the advisory to the distributors and recording a leak
// (encrypted in the browser). OWNER: helper "distributors" (issue 12 §2).
import { Router, type Request, type Response } from 'express';
import type { SignedInMember } from '../auth/signed-in-member';
import {
  addDistributor,
  changeDistributor,
  distributorsList,
  recordAcceptance,
  removeDistributor,
  requireDistributorManager,
  DISTRIBUTORS_MANAGED_BY,
  type DistributorInput,
} from '../disclosure/distributors';
import { distributorRecipients, sendToDistributors, type SendingRequest } from '../disclosure/distributor-sending';
import { recordLeak } from '../disclosure/embargo-leaks';
import { DomainError, badInput, notFound } from '../errors';
import { FieldError } from '../field-errors';
import type { FormProblems } from './case-page';
import { formAction } from './case-form-action';
import { memberJsonWrite } from './dashboard-api-routes';
import type { GovernanceRouteDeps } from './governance-route-deps';
import { urlencodedForm } from './outside-keys';
import { noStore } from './protection';
import { requireSignedIn } from './request-context';

const MAX_SENDING_BYTES = 4 * 1024 * 1024;

export function distributorRoutes(deps: GovernanceRouteDeps): Router {
  const router = Router();
  const guard = [noStore, urlencodedForm({ limit: '2mb' })];

  const renderPage = async (req: Request, res: Response, refused?: FormProblems) => {
    const member = requireSignedIn(req, res);
    if (member.role !== 'approver' && member.role !== 'srt') throw notFound('There is no such page.');
    res.status(refused ? 400 : 200).render('dashboard/distributors.njk', {
      member,
      distributors: await distributorsList(deps.db, member),
      managedBy: DISTRIBUTORS_MANAGED_BY,
      problems: refused?.problems ?? {},
      typed: refused?.typed ?? {},
      csrfToken: deps.csrf.tokenFor(req, res),
    });
  };
  router.get('/dashboard/distributors', noStore, (req, res) => renderPage(req, res));

  /** A form of the page; a refusal of a row's form is shown beside that row (field `d-<id>`). */
  const pageForm =
    (
      field: (req: Request) => string | null,
      run: (m: SignedInMember, req: Request, body: Record<string, string>) => Promise<unknown>,
    ) =>
    (req: Request, res: Response) =>
      formAction({
        csrf: deps.csrf,
        field: field(req) ?? 'add',
        run: async (m, body) => {
          requireDistributorManager(m);
          const row = field(req);
          try {
            await run(m, req, body);
          } catch (error) {
            if (row && error instanceof DomainError && error.kind === 'bad-input')
              throw new FieldError(row, error.message);
            throw error;
          }
        },
        done: () => '/dashboard/distributors',
        refused: (rq, rs, _m, refused) => renderPage(rq, rs, refused),
      })(req, res);
  const input = (body: Record<string, string>): DistributorInput => ({
    organisation: body.organisation ?? '',
    email: body.email ?? '',
    armoredKey: body.armoredKey ?? '',
    allowUidMismatch: body.allowUidMismatch === '1',
  });
  const row = (req: Request) => `d-${String(req.params.id)}`;

  router.post(
    '/dashboard/distributors',
    guard,
    pageForm(
      () => null,
      (m, _req, body) => addDistributor(deps.db, m, input(body), deps.now()),
    ),
  );
  router.post(
    '/dashboard/distributors/:id',
    guard,
    pageForm(row, (m, req, body) => changeDistributor(deps.db, m, String(req.params.id), input(body), deps.now())),
  );
  router.post(
    '/dashboard/distributors/:id/acceptance',
    guard,
    pageForm(row, (m, req, body) =>
      recordAcceptance(
        deps.db,
        m,
        String(req.params.id),
        { acceptedOn: body.acceptedOn ?? '', policyVersion: body.policyVersion ?? '' },
        deps.now(),
      ),
    ),
  );
  router.post(
    '/dashboard/distributors/:id/remove',
    guard,
    pageForm(row, (m, req) => removeDistributor(deps.db, m, String(req.params.id))),
  );

  // The case page's bundle: whom to encrypt to, then the ciphertext in.
  router.get('/api/dashboard/cases/:reference/distributors', noStore, async (req, res) => {
    const member = requireSignedIn(req, res);
    res.json(await distributorRecipients(deps.db, member, String(req.params.reference)));
  });
  const write = memberJsonWrite(deps, MAX_SENDING_BYTES);
  router.post('/api/dashboard/cases/:reference/distributor-sendings', noStore, write, async (req, res) => {
    const member = requireSignedIn(req, res);
    const body = jsonObject(req.body);
    const request: SendingRequest = {
      kind: typeof body.kind === 'string' ? body.kind : '',
      plannedOn: typeof body.plannedOn === 'string' ? body.plannedOn : '',
      messages: Array.isArray(body.messages) ? (body.messages as SendingRequest['messages']) : [],
    };
    res
      .status(201)
      .json(await sendToDistributors(deps.db, member, String(req.params.reference), request, deps.now(), deps.events));
  });
  router.post('/api/dashboard/cases/:reference/embargo-leaks', noStore, write, async (req, res) => {
    const member = requireSignedIn(req, res);
    const body = jsonObject(req.body);
    const text = (name: string) => (typeof body[name] === 'string' ? (body[name] as string) : '');
    res
      .status(201)
      .json(
        await recordLeak(
          deps.db,
          member,
          String(req.params.reference),
          { distributorId: text('distributorId'), leakedOn: text('leakedOn'), message: text('message') },
          deps.now(),
          deps.events,
        ),
      );
  });
  return router;
}

/** A JSON body as an object without a prototype: its keys never reach an inherited property. */
function jsonObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badInput('Send a JSON object.');
  return Object.assign(Object.create(null) as Record<string, unknown>, body);
}
