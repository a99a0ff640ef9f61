import { Router, type Request, type RequestHandler, type Response } from 'express';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import type { CaseEvents } from '../cases/case-events';
import { addCaseMessage, messageRecipients } from '../cases/case-messages';
import { readableTimeline } from '../cases/cases';
import { badInput, forbidden } from '../errors';
import { setMemberKey } from '../governance/members';
import type { Csrf } from './protection';
import { noStore } from './protection';
import { requireSignedIn } from './request-context';
import { readJsonBody } from './json-body';
import type { UploadBudget } from './upload-budget';

export interface DashboardApiDeps {
  db: Kysely<Database>;
  csrf: Csrf;
  events: CaseEvents;
  uploads: UploadBudget;
}

const MAX_MESSAGE_BYTES = 40 * 1024 * 1024;

/** A JSON write by a signed-in member: read only once its session and its CSRF header (x-csrf-token) are known good. */
export function memberJsonWrite(deps: Pick<DashboardApiDeps, 'csrf' | 'uploads'>, maxBytes: number): RequestHandler {
  return async (req, res, next) => {
    requireSignedIn(req, res);
    if (!deps.csrf.isValid(req)) throw forbidden('The page is out of date (CSRF token). Reload it and try again.');
    req.body = await readJsonBody(req, res, { budget: deps.uploads, maxBytes });
    next();
  };
}

/**
 * The JSON the dashboard's bundle uses: ciphertext out (with this member's session-key packets),
 * ciphertext in. Writes need the session's CSRF token in the x-csrf-token header.
 */
export function dashboardApiRoutes(deps: DashboardApiDeps): Router {
  const router = Router();
  router.use('/api/dashboard', noStore);

  const memberWrite = memberJsonWrite(deps, MAX_MESSAGE_BYTES);

  router.get('/api/dashboard/cases/:reference/messages', async (req, res) => {
    const member = requireSignedIn(req, res);
    const timeline = await readableTimeline(deps.db, member, String(req.params.reference));
    res.json({
      messages: timeline.map((m) => ({
        id: m.id,
        role: m.role,
        author: m.authorName,
        createdAt: m.createdAt.toISOString(),
        packet: m.packet?.toString('base64') ?? null,
        granted: m.packetGranted,
        body: m.packet ? m.body.toString('base64') : null,
      })),
    });
  });

  router.get('/api/dashboard/cases/:reference/recipients', async (req, res) => {
    const member = requireSignedIn(req, res);
    const role = req.query.role === 'reply' ? 'reply' : 'comment';
    res.json(await messageRecipients(deps.db, member, String(req.params.reference), role));
  });

  router.post('/api/dashboard/cases/:reference/messages', memberWrite, async (req: Request, res: Response) => {
    const member = requireSignedIn(req, res);
    const body = (req.body ?? {}) as { role?: unknown; message?: unknown };
    if (body.role !== 'comment' && body.role !== 'reply') throw badInput('"role" must be "comment" or "reply".');
    if (typeof body.message !== 'string') throw badInput('"message" must be an armored OpenPGP message.');
    res
      .status(201)
      .json(await addCaseMessage(deps.db, member, String(req.params.reference), body.role, body.message, deps.events));
  });

  router.post('/api/dashboard/key', memberWrite, async (req, res) => {
    const member = requireSignedIn(req, res);
    const body = (req.body ?? {}) as { publicKey?: unknown; replace?: unknown };
    if (typeof body.publicKey !== 'string') throw badInput('"publicKey" must be an armored OpenPGP public key.');
    // Replacing the key on file is never a side effect: the page asks, and says what it means.
    if (body.replace !== true)
      throw badInput(
        'Replacing your key on file must be asked for ("replace": true): cases filed before stay encrypted to your old key.',
      );
    const updated = await setMemberKey(deps.db, member.email, body.publicKey, { by: { memberId: member.id } });
    res.json({ fingerprint: updated.fingerprint });
  });

  return router;
}
