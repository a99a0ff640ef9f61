// Audit trail rows for the sentence tests: each a minute after the one before, named from `names`.
import type { AuditEntry } from '../../server/audit/audit-log';

export type AuditRowMaker = (
  action: string,
  actor: string | null,
  details: Record<string, unknown>,
  label?: string,
) => AuditEntry;

export function auditRowMaker(names: ReadonlyMap<string, string>): AuditRowMaker {
  let position = 0;
  return (action, actor, details, label = 'member') => ({
    position: ++position,
    action,
    actorMemberId: actor,
    actorName: actor ? (names.get(actor) ?? null) : null,
    actorLabel: label,
    details,
    createdAt: new Date(Date.UTC(2026, 11, 1, 9, position)),
    hash: null,
  });
}
