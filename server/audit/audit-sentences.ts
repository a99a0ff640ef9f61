// The audit trail in words for the case page: one sentence per action ("Alice moved it from New
// to Assessing"), runs of "viewed" by the same person folded into one. The raw rows stay beside it.
import type { CaseKind } from '../../db/database';
import type { AuditEntry } from './audit-log';
import { STATES } from '../cases/workflow';
import { CHOICE_WORDS, PROPOSAL_KIND_WORDS } from '../governance/decision-words';

/** How a report came in, in words (the channel codes are for the database). */
export const CHANNEL_WORDS: Record<string, string> = {
  web: 'web form, encrypted in the reporter’s browser',
  'web-no-js': 'web form, without JavaScript',
  email: 'e-mail',
};

/** Whom a legal consultation was with (the codes of cncf_legal_consultations.counsel). */
const COUNSEL_WORDS: Record<string, string> = {
  'cncf-legal': 'CNCF legal',
  'lf-counsel': 'the Linux Foundation’s counsel',
  'other-counsel': 'other counsel',
};

export interface AuditSentence {
  text: string;
  /** The first and (for a folded run) last time it happened. */
  from: Date;
  to: Date;
  /** The rows it stands for. */
  positions: number[];
}

/** Why a member reads a case (case_readers.via), in words. */
export const VIA_WORDS: Record<string, string> = {
  routed: 'routed to them when it arrived',
  'srt-joined': 'joined the Security Response Team',
  'conflict-lifted': 'their conflict of interest was lifted',
  liaison: 'appointed liaison',
  extended: 'the approvers extended their access',
};

const REVOKE_WORDS: Record<string, string> = {
  'hard-conflict': 'a hard conflict of interest',
  'liaison-ended': 'the liaison appointment ended',
  'left-srt': 'left the Security Response Team',
};

const ACTOR_WORDS: Record<string, string> = {
  reporter: 'The reporter',
  system: 'The system',
  operator: 'The operator',
};

/** The trail as sentences, oldest first. `names` are the member names the trail may mention (the readers). */
export function auditSentences(
  kind: CaseKind,
  entries: readonly AuditEntry[],
  names: ReadonlyMap<string, string>,
): AuditSentence[] {
  const sentences: AuditSentence[] = [];
  let run: { entry: AuditEntry; sentence: AuditSentence; count: number } | null = null;
  for (const entry of entries) {
    if (
      entry.action === 'case.viewed' &&
      run &&
      run.entry.actorMemberId === entry.actorMemberId &&
      run.entry.actorLabel === entry.actorLabel
    ) {
      run.count += 1;
      run.sentence.text = `${actorOf(entry)} viewed it ${run.count} times.`;
      run.sentence.to = entry.createdAt;
      run.sentence.positions.push(entry.position);
      continue;
    }
    const sentence: AuditSentence = {
      text: sentenceOf(kind, entry, names),
      from: entry.createdAt,
      to: entry.createdAt,
      positions: [entry.position],
    };
    sentences.push(sentence);
    run = entry.action === 'case.viewed' ? { entry, sentence, count: 1 } : null;
  }
  return sentences;
}

/** The grounds of a conflict of interest, in words (the case page's form uses the same). */
export const GROUND_WORDS: Readonly<Record<string, string>> = Object.assign(Object.create(null), {
  involved: 'named as involved by the reporter',
  'accused-or-target': 'the accused or a target',
  'close-relationship': 'a close relationship with the accused or a target',
  'same-employer': 'the same employer',
  appearance: 'an appearance of conflict',
});

const LIAISON_END_WORDS: Readonly<Record<string, string>> = Object.assign(Object.create(null), {
  decision: 'by a decision',
  'committee-closed': 'the committee closed its case',
  'case-closed': 'the case was closed',
  conflict: 'a conflict of interest',
});

function actorOf(entry: AuditEntry): string {
  if (entry.actorName) return entry.actorName;
  if (entry.actorLabel === 'member') return 'A former member';
  return ACTOR_WORDS[entry.actorLabel] ?? `The ${entry.actorLabel}`;
}

function count(value: unknown): string {
  const n = typeof value === 'number' ? value : 0;
  return `${n} message${n === 1 ? '' : 's'}`;
}

const sentenceStart = (words: string) => words.charAt(0).toUpperCase() + words.slice(1);

/** A meeting's start as the case page shows times. */
function meetingTime(value: unknown): string {
  return typeof value === 'string' ? `${value.slice(0, 16).replace('T', ' ')} UTC` : 'a new time';
}

function countWords(value: unknown, noun: string): string {
  const n = typeof value === 'number' ? value : 0;
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** Who a move added to or removed from the invitation list, as counts (the list is computed). */
function listChange(added: unknown, removed: unknown): string {
  const a = Array.isArray(added) ? added.length : 0;
  const r = Array.isArray(removed) ? removed.length : 0;
  const parts = [
    a ? `inviting ${countWords(a, 'more member')}` : '',
    r ? `${countWords(r, 'member')} no longer invited` : '',
  ];
  return parts.some(Boolean) ? `, ${parts.filter(Boolean).join(' and ')}` : '';
}

/** An ISO time from a detail as its UTC day, or "a date" when it is not one. */
function dayOf(value: unknown): string {
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) ? value.slice(0, 10) : 'a date';
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function kindWords(kind: unknown): string {
  return (
    (typeof kind === 'string' && Object.hasOwn(PROPOSAL_KIND_WORDS, kind)
      ? PROPOSAL_KIND_WORDS[kind as keyof typeof PROPOSAL_KIND_WORDS]
      : null) ?? 'decide something'
  );
}

function tallyWords(d: Record<string, unknown>): string {
  return `${String(d.yes)} yes, ${String(d.no)} no, ${String(d.abstain)} abstain of ${String(d.eligible)} eligible, ${String(d.needed)} needed`;
}

function sentenceOf(kind: CaseKind, entry: AuditEntry, names: ReadonlyMap<string, string>): string {
  const who = actorOf(entry);
  const d = entry.details;
  const state = (name: unknown) =>
    typeof name === 'string' ? (STATES[kind][name]?.label ?? name) : 'an unknown state';
  const member = (id: unknown) =>
    typeof id === 'string' ? (names.get(id) ?? 'someone who no longer reads it') : 'nobody';
  switch (entry.action) {
    case 'case.created':
      return `The report arrived by ${CHANNEL_WORDS[String(d.channel)] ?? 'an unknown channel'}.`;
    case 'case.viewed':
      return `${who} viewed it.`;
    case 'case.status-changed': {
      if (d.reopened)
        return `${who} reopened it (from ${state(d.from)} to ${state(d.to)}) and left the reason as a note for the readers.`;
      const extra = text(d.duplicateOf)
        ? `, as a duplicate of ${d.duplicateOf as string}`
        : text(d.resolution)
          ? `, with the outcome “${d.resolution as string}”`
          : '';
      return `${who} moved it from ${state(d.from)} to ${state(d.to)}${extra}.`;
    }
    case 'case.assigned':
      return d.assigneeId ? `${who} assigned it to ${member(d.assigneeId)}.` : `${who} left it unassigned.`;
    case 'case.severity-set': {
      if (!text(d.vector)) return `${who} cleared the severity${text(d.cwe) ? ` (CWE: ${d.cwe as string})` : ''}.`;
      const parts = [`${String(d.score)} (${d.vector as string})`];
      if (text(d.cwe)) parts.push(d.cwe as string);
      if (text(d.affectedVersions)) parts.push(`affected: ${d.affectedVersions as string}`);
      return `${who} set the severity to ${parts.join(', ')}.`;
    }
    case 'case.embargo-set':
      return text(d.until) ? `${who} set the date to ${d.until as string}.` : `${who} cleared the date.`;
    case 'case.expedited':
      return d.expedited ? `${who} marked it expedited: the embargo broke.` : `${who} cleared the expedited flag.`;
    case 'case.escalated':
      return `${who} told the readers that it is overdue${text(d.reason) ? ` (${d.reason as string})` : ''}.`;
    case 'case.comment-added':
      return `${who} added a comment for responders.`;
    case 'case.reply-added':
      return `${who} replied to the reporter.`;
    case 'case.reporter-replied':
      return `${who} sent a message.`;
    case 'case.exported':
      return entry.actorLabel === 'operator'
        ? `${who} exported its messages for ${member(d.memberId)}.`
        : `${who} downloaded a message, still encrypted.`;
    case 'conflict.recorded':
      if (d.ground === 'involved') return `${who} named an approver as involved, who therefore does not read it.`;
      return `${who} recorded a ${text(d.level) ?? 'hard'} conflict of interest (${GROUND_WORDS[String(d.ground)] ?? 'another ground'}) for ${member(d.memberId)}.`;
    case 'conflict.declared':
      return `${who} declared a ${text(d.level) ?? 'hard'} conflict of interest (${GROUND_WORDS[String(d.ground)] ?? 'another ground'}).`;
    case 'conflict.lifted':
      return `A decision lifted a conflict of interest of ${member(d.memberId)}.`;
    case 'conflict.downgraded':
      return `A decision downgraded a conflict of interest of ${member(d.memberId)} to soft.`;
    case 'liaison.appointed':
      return `${member(d.memberId)} was appointed liaison with the CNCF Code of Conduct Committee.`;
    case 'liaison.ended':
      return `The appointment of ${member(d.memberId)} as liaison ended (${LIAISON_END_WORDS[String(d.because)] ?? 'ended'}).`;
    case 'liaison.decision-recorded':
      return d.committeeClosed
        ? `${who} recorded the committee's decision, and that the committee closed its case.`
        : `${who} recorded the committee's decision.`;
    case 'meeting.called':
      return `${who} called a closed meeting for ${meetingTime(d.startsAt)} (${d.durationMinutes as number} minutes), inviting ${countWords(d.invited, 'member')}.`;
    case 'meeting.moved':
      return `${who} moved a closed meeting to ${meetingTime(d.startsAt)} (${d.durationMinutes as number} minutes)${listChange(d.addedMemberIds, d.removedMemberIds)}.`;
    case 'meeting.cancelled':
      return `${who} cancelled a closed meeting.`;
    case 'meeting.invitee-removed':
      return `${sentenceStart(member(d.memberId))} was removed from a closed meeting (${d.because === 'hard-conflict' ? 'a hard conflict of interest' : 'no longer invited'}); their invitation is cancelled.`;
    case 'meeting.attendance-recorded':
      return `${who} recorded that ${countWords(d.attended, 'member')} of ${d.invited as number} invited attended a closed meeting.`;
    case 'meeting.minutes-added':
      return `${who} added the minutes of a closed meeting.`;
    case 'decision.proposed':
      return `${who} proposed to ${kindWords(d.kind)}.`;
    case 'decision.vote-called':
      return d.as === 'objection'
        ? `${who} objected to a proposal: it is put to a vote.`
        : `${who} demanded a vote on a proposal.`;
    case 'decision.ballot-cast':
      return `${who} voted ${(CHOICE_WORDS[String(d.choice)] ?? 'on a proposal').toLowerCase()} on a proposal.`;
    case 'decision.withdrawn':
      return `${who} withdrew the proposal to ${kindWords(d.kind)}.`;
    case 'decision.passed':
      return `The proposal to ${kindWords(d.kind)} passed${d.rule === 'vote' ? ` by vote (${tallyWords(d)})` : ' by lazy consensus'}.`;
    case 'decision.rejected':
      return `The proposal to ${kindWords(d.kind)} was rejected (${tallyWords(d)}).`;
    case 'decision.lapsed':
      return `The proposal to ${kindWords(d.kind)} lapsed: ${d.because === 'no-eligible-approver' ? 'no eligible approver was left' : 'it could no longer be carried out'}.`;
    case 'access.reader-added':
      return `${who} made ${member(d.memberId)} a reader (${VIA_WORDS[String(d.via)] ?? String(d.via)}).`;
    case 'access.revoked':
      return `${who} took away the access of ${member(d.memberId)} (${REVOKE_WORDS[String(d.reason)] ?? String(d.reason)}); ${count(d.packets).replace('message', 'key packet')} deleted.`;
    case 'access.granted':
      return text(d.committeeKeyFingerprint)
        ? `${who} re-wrapped ${count(d.messages)} for the CNCF CoC Committee's key.`
        : `${who} granted ${member(d.memberId)} ${count(d.messages)}.`;
    case 'access.grant-failed':
      return `${who} could not decrypt ${count(d.messages)} granted to them; the grant is pending again.`;
    case 'referral.started':
      return `${who} started a referral of ${count(d.messages)} to the CNCF CoC Committee; it is sent once they are re-wrapped to the committee's key.`;
    case 'referral.sent':
      return `${who} sent ${count(d.messages)} to the CNCF CoC Committee, encrypted to its key.`;
    case 'cncf.notice-written':
      return `${who} wrote the ${String(d.stage)} notice for the CNCF CoC Committee's central record, encrypted to the committee's key.`;
    case 'cncf.notice-sent':
      return `${who} mailed the ${String(d.stage)} notice to the CNCF CoC Committee's central record.`;
    case 'cncf.legal-consulted':
      return `${who} recorded a legal consultation (${COUNSEL_WORDS[String(d.counsel)] ?? String(d.counsel)}, on ${String(d.consultedOn)})${text(d.noteMessageId) ? ', with a note to the readers' : ''}.`;
    case 'transparency.note-saved':
      return `${who} saved the encrypted note of the transparency report for the period from ${text(d.period) ?? 'a month'}.`;
    case 'transparency.exported':
      return `${who} downloaded the transparency report for the period from ${text(d.period) ?? 'a month'} (${text(d.format) ?? 'a file'}).`;
    case 'charter.changed':
      return `A decision changed the charter's setting ${String(d.key)} from ${JSON.stringify(d.old)} to ${JSON.stringify(d.new)}.`;
    case 'charter.set-by-operator':
      return `${who} set the charter's setting ${String(d.key)} from ${JSON.stringify(d.old)} to ${JSON.stringify(d.new)}, before any approver had signed in.`;
    case 'charter.seeded':
      return `${who} wrote the charter's first values (${Array.isArray(d.keys) ? d.keys.length : 0} settings) from the environment and the defaults.`;
    case 'distributor.advisory-sent':
      return d.kind === 'release'
        ? `${who} sent a distributor the release notice for ${String(d.plannedOn)}, encrypted to its key.`
        : `${who} sent a distributor the advisory ahead of ${String(d.plannedOn)}, encrypted to its key.`;
    case 'embargo.reminded':
      return `The readers were reminded that the embargo ends on ${String(d.embargoOn)} (${String(d.daysBefore)} day${d.daysBefore === 1 ? '' : 's'} ahead).`;
    case 'embargo.leak-recorded':
      return `${who} recorded an embargo leak on ${String(d.leakedOn)} (${d.distributorId ? 'by a distributor' : 'source unknown'}).`;
    case 'retention.deletion-announced':
      return `The readers were told that the content will be deleted on ${dayOf(d.deleteOn)}.`;
    case 'retention.content-deleted':
      return `The retention period ran out: the content was deleted for good (${count(d.messages)}, ${count(d.sessionKeys).replace('message', 'key packet')}).`;
    case 'retention.hold-placed':
      return `${who} placed a legal hold: the content is not deleted while it is in force.`;
    case 'retention.hold-lifted':
      return 'A decision lifted the legal hold.';
    case 'advisory.draft-saved':
      return `${who} saved the advisory draft, encrypted to the readers.`;
    case 'advisory.exported':
      return `${who} exported the advisory as ${d.format === 'csaf' ? 'CSAF 2.0' : 'OSV'} in their browser.`;
    case 'advisory.published':
      return `The advisory was published by decision: the case moved from ${state(d.from)} to ${state(d.to)}.`;
    case 'srt.appointed':
      return d.team === 'approvers'
        ? `${who} made the approvers themselves the Security Response Team, as the approvers decided.`
        : `${who} appointed a delegated Security Response Team of ${Array.isArray(d.memberIds) ? d.memberIds.length : 0} members, as the approvers decided.`;
    case 'srt.appointed-by-operator':
      return `${who} put ${member(d.memberId)} on the Security Response Team, setting up the installation.`;
    case 'srt.reviewed':
      return `${who} recorded that the approvers reviewed the Security Response Team; the next review is due on ${String(d.nextDueAt).slice(0, 10)}.`;
    case 'srt.review-reminded':
      return d.reminder === 'overdue'
        ? `${who} reminded the approvers that the Security Response Team's review, due on ${String(d.dueAt).slice(0, 10)}, is overdue.`
        : `${who} reminded the approvers that the Security Response Team's review is due on ${String(d.dueAt).slice(0, 10)}.`;
    default:
      // An action this page has no sentence for yet: its name in words, never hidden.
      return `${who}: ${entry.action.replace(/^case\./, '').replace(/-/g, ' ')}.`;
  }
}
