// The case page's model: the case, what this member may do with it, the trail in words, and — after
// a refused form — each problem beside its field with what was typed.
import crypto from 'node:crypto';
import type { Request, Response } from 'express';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import { CHANNEL_WORDS, auditSentences } from '../audit/audit-sentences';
import { openCase } from '../cases/case-work';
import { caseGovernanceView } from '../governance/case-governance-view';
import { isOverdue } from '../cases/clocks';
import { COC_RESOLUTIONS, isClosingMove, stateOf } from '../cases/workflow';
import type { Csrf } from './protection';
import type { SignedInMember } from '../auth/signed-in-member';

/** A refused form: each problem under its field's name, and the fields as they were typed. */
export interface FormProblems {
  problems: Record<string, string>;
  typed: Record<string, string>;
}

const EDITABLE = [
  'vector',
  'cwe',
  'affectedVersions',
  'embargoUntil',
  'duplicateOf',
  'resolution',
  'months',
  'namedPublicly',
  'consultedOn',
  'counsel',
  'remedyResolution',
  'remedyMonths',
  'remedyNamedPublicly',
  'assignee',
  'reason',
  'memberId',
  'ground',
  'declareGround',
] as const;

export async function renderCasePage(
  deps: { db: Kysely<Database>; csrf: Csrf; now?: () => Date; grantWaitWarningHours?: number },
  req: Request,
  res: Response,
  member: SignedInMember,
  reference: string,
  refused?: FormProblems,
): Promise<void> {
  const view = await openCase(deps.db, member, reference, { again: Boolean(refused) });
  const c = view.detail;
  const governance = await caseGovernanceView(deps.db, member, c, deps.now?.() ?? new Date(), {
    grantWaitWarningHours: deps.grantWaitWarningHours,
  });
  const names = new Map(view.readers.map((r) => [r.id, r.name]));
  const saved: Record<string, string> = {
    vector: c.severityVector ?? '',
    cwe: c.cwe ?? '',
    affectedVersions: c.affectedVersions ?? '',
    embargoUntil: c.embargoUntil ? c.embargoUntil.toISOString().slice(0, 10) : '',
    duplicateOf: '',
    resolution: '',
    months: '',
    namedPublicly: '',
    consultedOn: '',
    counsel: '',
    remedyResolution: '',
    remedyMonths: '',
    remedyNamedPublicly: '',
    assignee: c.assigneeId ?? '',
    reason: '',
    memberId: '',
    ground: '',
    declareGround: '',
  };
  const values = Object.create(null) as Record<string, string>;
  for (const name of EDITABLE)
    values[name] = typeof refused?.typed[name] === 'string' ? refused.typed[name]! : saved[name]!;
  res.status(refused ? 400 : 200).render('dashboard/case.njk', {
    member,
    view,
    governance,
    state: stateOf(c.kind, c.status),
    moves: view.moves.map((to) => ({ to, label: stateOf(c.kind, to).label, closing: isClosingMove(c.kind, to) })),
    reopenTo: view.reopenTo ? stateOf(c.kind, view.reopenTo).label : null,
    overdue: isOverdue(c),
    resolutions: COC_RESOLUTIONS,
    channelWords: CHANNEL_WORDS[c.channel] ?? c.channel,
    sentences: auditSentences(c.kind, view.audit, names),
    values,
    // Everything a refused form sent, for the forms whose fields have no saved value (the meetings').
    typed: refused?.typed ?? {},
    problems: refused?.problems ?? {},
    csrfToken: deps.csrf.tokenFor(req, res),
  });
}

/**
 * Ties an unlocked key kept in the browser to this sign-in session: a new session (after sign-out
 * or idle expiry) has a new tag, and the browser drops a key unlocked under another. Derived from the
 * session's database handle, so it reveals nothing that signs anyone in.
 */
export function keySessionTag(member: SignedInMember): string {
  return crypto
    .createHash('sha256')
    .update(`unlocked-key-session:${member.sessionId}`)
    .digest('base64url')
    .slice(0, 22);
}
