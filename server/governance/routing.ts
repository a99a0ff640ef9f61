import type { CaseKind, MemberRole } from '../../db/database';
import { DomainError, badInput, notConfigured } from '../errors';

/** What the routing rules need to know of a member. */
export interface RoutableMember {
  id: string;
  name: string;
  role: MemberRole;
  /** On the delegated team the approvers (or, setting up, the operator) appointed (srt_members). */
  onSrt: boolean;
}

export interface SrtStatus {
  /** false: the SRT is the approvers themselves (GOVERNANCE: "may simply consist of the approvers"). */
  delegated: boolean;
  members: RoutableMember[];
  /** Set when the governance is not met: a delegated SRT needs at least two contributors. */
  warning: string | null;
}

export const MIN_DELEGATED_SRT = 2;

/** Who the Security Response Team is, from the members on file and the team on record. */
export function srtStatus(members: readonly RoutableMember[]): SrtStatus {
  const srt = members.filter((m) => m.onSrt && m.role !== 'liaison');
  const approvers = members.filter((m) => m.role === 'approver');
  if (srt.length === 0) return { delegated: false, members: approvers, warning: null };
  if (srt.length < MIN_DELEGATED_SRT) {
    return {
      delegated: true,
      members: uniqueById([...srt, ...approvers]),
      warning:
        `The Security Response Team has ${srt.length} member; the governance asks for at least ${MIN_DELEGATED_SRT} ` +
        'when the approvers delegate it. Until another is added, security reports also go to the approvers.',
    };
  }
  return { delegated: true, members: srt, warning: null };
}

/**
 * Routes a report by the governance (DESIGN §2): security reports to the SRT; Code of Conduct
 * reports to every approver except those the reporter names as involved. An excluded approver
 * gets nothing: no session key, no notification, no row in any list.
 */
export function routeReport(
  kind: CaseKind,
  members: readonly RoutableMember[],
  involvedIds: readonly string[] = [],
): RoutableMember[] {
  if (kind === 'security') {
    if (involvedIds.length > 0) throw badInput('Only Code of Conduct reports can name approvers as involved.');
    const { members: srt } = srtStatus(members);
    if (srt.length === 0)
      throw notConfigured(
        'Nobody can receive security reports yet: the operator has not added any approver or SRT member.',
      );
    return srt;
  }
  const approvers = members.filter((m) => m.role === 'approver');
  const approverIds = new Set(approvers.map((a) => a.id));
  const unknown = involvedIds.filter((id) => !approverIds.has(id));
  if (unknown.length > 0)
    throw badInput(
      "An approver marked as involved is not one of this project's approvers. Reload the form and choose from its list.",
    );
  if (approvers.length === 0)
    throw notConfigured('Nobody can receive Code of Conduct reports yet: the operator has not added any approver.');
  const excluded = new Set(involvedIds);
  const readers = approvers.filter((a) => !excluded.has(a.id));
  if (readers.length === 0) {
    throw badInput(
      'You marked every approver as involved, so nobody in this project may read your report. ' +
        'Please write to the CNCF Code of Conduct Committee directly at conduct@cncf.io.',
    );
  }
  return readers;
}

/** What a reporter is told before sending: the approvers they may name as involved, and who will read a report of this kind. */
export interface ReportAudience {
  approvers: { id: string; name: string }[];
  readers: string[];
  srtDelegated: boolean;
}

/** The form's audience, from routeReport itself, so that what the form says cannot drift from who gets the key packets. */
export function reportAudience(kind: CaseKind, members: readonly RoutableMember[]): ReportAudience {
  const approvers = members.filter((m) => m.role === 'approver').map((m) => ({ id: m.id, name: m.name }));
  return {
    approvers,
    readers: routedOrNobody(kind, members).map((m) => m.name),
    srtDelegated: srtStatus(members).delegated,
  };
}

function routedOrNobody(kind: CaseKind, members: readonly RoutableMember[]): RoutableMember[] {
  try {
    return routeReport(kind, members);
  } catch (error) {
    if (error instanceof DomainError && error.kind === 'not-configured') return [];
    throw error;
  }
}

function uniqueById<T extends { id: string }>(items: T[]): T[] {
  return [...new Map(items.map((item) => [item.id, item])).values()];
}
