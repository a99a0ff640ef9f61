// The transparency report (issue 11 §5): the approvers' page, its CSV and Markdown downloads, and the
// JSON the page's script uses for the encrypted note. Anyone else finds no such page (the same 404
// as a missing one). OWNER: helper "transparency".
import { Router, type NextFunction, type Request, type Response } from 'express';
import { DomainError } from '../errors';
import { MAX_NOTE_CHARS, noteForMember, noteRecipients, saveNote } from '../transparency/notes';
import {
  exportReport,
  isApprover,
  offeredPeriods,
  requestedPeriod,
  transparencyPageModel,
} from '../transparency/transparency-page';
import { keySessionTag } from './case-page';
import { memberJsonWrite } from './dashboard-api-routes';
import type { GovernanceRouteDeps } from './governance-route-deps';
import { noStore } from './protection';
import { requireSignedIn, signedInMember } from './request-context';

/** Only approvers go on; anyone else falls through to the one "no such page" answer. */
const approversOnly = (req: Request, res: Response, next: NextFunction) => {
  requireSignedIn(req, res);
  if (isApprover(signedInMember(res))) next();
  else next('router');
};

export function transparencyRoutes(deps: GovernanceRouteDeps): Router {
  const outer = Router();
  const pages = Router();
  const api = Router();
  outer.use('/dashboard/transparency', pages);
  outer.use('/api/dashboard/transparency', api);
  const at = () => ({ db: deps.db, config: deps.config, now: deps.now() });
  pages.use(noStore, approversOnly);
  api.use(noStore, approversOnly);

  pages.get('/', async (req, res) => {
    const member = requireSignedIn(req, res);
    const periods = await offeredPeriods(at());
    const page = { member, periods, keySession: keySessionTag(member), csrfToken: deps.csrf.tokenFor(req, res) };
    let chosen;
    try {
      chosen = await requestedPeriod(at(), req.query.period);
    } catch (error) {
      if (!(error instanceof DomainError && error.kind === 'bad-input')) throw error;
      res.status(400).render('dashboard/transparency.njk', { ...page, problem: error.message, report: null });
      return;
    }
    const report = await transparencyPageModel(at(), chosen.period, chosen.threshold);
    res.render('dashboard/transparency.njk', { ...page, report, problem: null });
  });

  for (const format of ['csv', 'md'] as const)
    pages.get(`/report.${format}`, async (req, res) => {
      const member = requireSignedIn(req, res);
      const { period, threshold } = await requestedPeriod(at(), req.query.period);
      const file = await exportReport(at(), member, period, threshold, format);
      res.attachment(file.name).type(file.contentType).send(file.text);
    });

  // Under /api/dashboard/transparency: the note's recipients, and the note itself.
  api.get('/recipients', async (_req, res) => {
    res.json(await noteRecipients(deps.db));
  });
  api.get('/notes/:period', async (req, res) => {
    const member = requireSignedIn(req, res);
    const { period } = await requestedPeriod(at(), req.params.period);
    res.json(await noteForMember(deps.db, member, period));
  });
  api.post('/notes/:period', memberJsonWrite(deps, MAX_NOTE_CHARS + 1024), async (req: Request, res: Response) => {
    const member = requireSignedIn(req, res);
    const { period } = await requestedPeriod(at(), req.params.period);
    const body = (req.body ?? {}) as { message?: unknown };
    await saveNote(deps.db, member, period, body.message, deps.now());
    res.status(201).json({ saved: true });
  });
  return outer;
}
