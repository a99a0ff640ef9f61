// What the SRT page and the dashboard's notices show (issue 11 §2): the team on record, who may be
// chosen, when the yearly review is due. Nothing here depends on cases: no figure a member sees
// can tell of a case they do not read.
import type { Kysely } from 'kysely';
import type { Database, MemberRole } from '../../db/database';
import { listMembersWithKeys } from '../../db/members.queries';
import { listProposals } from '../../db/proposals.queries';
import { listSrtTeam } from '../../db/srt.queries';
import type { SignedInMember } from '../auth/signed-in-member';
import { proposalTitle } from './decision-words';
import { srtStatus } from './routing';
import { srtReviewDue, type SrtReviewDue } from './srt-review';
import { parseSrtTeam } from './srt-team';

export interface SrtPageView {
  delegated: boolean;
  team: { id: string; name: string; role: MemberRole; since: Date; appointedBy: 'operator' | 'decision' }[];
  warning: string | null;
  review: SrtReviewDue;
  candidates: { id: string; name: string; role: MemberRole; onTeam: boolean }[];
  /** Open proposals about the team; a delegated team's members by name. */
  open: { id: string; title: string; deadlineAt: Date; members: string[] }[];
}

/** The /dashboard/srt page, for approvers only (null: anyone else finds no such page). */
export async function srtPageView(
  db: Kysely<Database>,
  member: SignedInMember,
  now: Date,
): Promise<SrtPageView | null> {
  if (member.role !== 'approver') return null;
  const [members, team, review, proposals] = await Promise.all([
    listMembersWithKeys(db),
    listSrtTeam(db),
    srtReviewDue(db, now),
    listProposals(db, null),
  ]);
  const status = srtStatus(members);
  const names = new Map(members.map((m) => [m.id, m.name]));
  return {
    delegated: status.delegated,
    team: team.map((m) => ({ id: m.memberId, name: m.name, role: m.role, since: m.since, appointedBy: m.appointedBy })),
    warning: status.warning,
    review,
    candidates: members
      .filter((m) => m.role !== 'liaison')
      .map((m) => ({ id: m.id, name: m.name, role: m.role, onTeam: m.onSrt }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    open: proposals
      .filter((p) => p.status === 'open' && (p.kind === 'appoint-srt' || p.kind === 'srt-reviewed'))
      .map((p) => ({
        id: p.id,
        title: proposalTitle(p.kind, '', p.subjectKey, p.payload),
        deadlineAt: p.deadlineAt,
        members: teamNames(p.payload, names),
      })),
  };
}

function teamNames(payload: unknown, names: ReadonlyMap<string, string>): string[] {
  try {
    const team = parseSrtTeam(payload);
    return team.team === 'delegated' ? team.memberIds.map((id) => names.get(id) ?? 'a member no longer on file') : [];
  } catch {
    return [];
  }
}

export interface SrtNotice {
  kind: 'review-overdue' | 'review-due' | 'team-below-two';
  text: string;
}

const day = (at: Date) => at.toISOString().slice(0, 10);

/**
 * The notices on every dashboard page: to approvers, an overdue review (and, on the case list, when
 * it is due); to everyone who handles security reports, a delegated team below two.
 */
export async function srtNotices(
  db: Kysely<Database>,
  member: SignedInMember,
  now: Date,
  onCaseList: boolean,
): Promise<SrtNotice[]> {
  if (member.role === 'liaison') return [];
  const notices: SrtNotice[] = [];
  const status = srtStatus(await listMembersWithKeys(db));
  if (status.warning && status.members.some((m) => m.id === member.id))
    notices.push({ kind: 'team-below-two', text: status.warning });
  if (member.role !== 'approver') return notices;
  const review = await srtReviewDue(db, now);
  if (review.dueAt && review.state === 'overdue')
    notices.push({
      kind: 'review-overdue',
      text: `The Security Response Team's yearly review was due on ${day(review.dueAt)} and is overdue.`,
    });
  else if (review.dueAt && onCaseList)
    notices.push({
      kind: 'review-due',
      text: `The Security Response Team's next yearly review is due on ${day(review.dueAt)}.`,
    });
  return notices;
}
