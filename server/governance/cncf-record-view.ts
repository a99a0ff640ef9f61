// The case page's CNCF central-record notices and legal consultations (issue 11 §4). OWNER: helper "cncf".
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import type { CaseDetail } from '../../db/case-view.queries';
import { currentCommitteeKey } from '../../db/committee.queries';
import { caseLegalConsultations, type NoticeStage } from '../../db/cncf.queries';
import type { SignedInMember } from '../auth/signed-in-member';
import { COC_RESOLUTIONS, allowedMoves } from '../cases/workflow';
import { COUNSEL_CHOICES, centralRecordKept } from './cncf-record';
import { COMMITTEE_KEY_MISSING, NOTICE_STAGES, caseNoticeRecord, noticesDue, stageStatus } from './cncf-notices';
import { MONTHS_WITHOUT_CONSULTATION, remedyWords } from './coc-remedy';

const STAGE_WORDS: Record<NoticeStage, { title: string; write: string }> = {
  incident: {
    title: 'Incident notice',
    write: 'A brief summary of what happened and the name of the person accused.',
  },
  resolution: {
    title: 'Resolution notice',
    write: 'Whether a violation was found, and the remedy (for example: a warning; a temporary ban of three months).',
  },
};

/** What the case page shows of it to this member; null: nothing (not a Code of Conduct case). */
export async function cncfRecordView(db: Kysely<Database>, member: SignedInMember, detail: CaseDetail, _now: Date) {
  if (detail.kind !== 'coc') return null;
  const [kept, committee, record, consultations] = await Promise.all([
    centralRecordKept(db),
    currentCommitteeKey(db),
    caseNoticeRecord(db, detail.id),
    caseLegalConsultations(db, detail.id),
  ]);
  const { remedy } = record;
  const reader = member.role !== 'liaison';
  const due = noticesDue({ acknowledged_at: detail.acknowledgedAt, resolution: detail.resolution });
  const stages = kept
    ? NOTICE_STAGES.map((stage) => {
        const { sent, waiting } = stageStatus(stage, record.notices, record.resolvedAt);
        const staleKey = Boolean(!sent && waiting && committee && waiting.committeeKeyId !== committee.id);
        const shown = sent ?? waiting;
        return {
          stage,
          ...STAGE_WORDS[stage],
          due: due.includes(stage),
          sentAt: sent?.sentAt ?? null,
          writtenBy: shown?.writtenByName ?? null,
          writtenAt: shown?.createdAt ?? null,
          committeeFingerprint: shown?.committeeFingerprint ?? null,
          waiting: Boolean(!sent && waiting && !staleKey),
          staleKey,
          /** Earlier notices of this stage (a case resolved again). */
          earlier: record.notices.filter((n) => n.stage === stage && n.sentAt && n !== sent).length,
          // Written again when never written, or written to a key that is no longer the committee's.
          canWrite: reader && committee !== undefined && due.includes(stage) && !sent && (!waiting || staleKey),
        };
      })
    : [];
  return {
    kept,
    reader,
    committee: committee ? { email: committee.email, fingerprint: committee.fingerprint } : null,
    committeeMissing: COMMITTEE_KEY_MISSING,
    stages,
    /** A notice the case calls for that has not gone: flagged on the case page. */
    unsent: stages.filter((s) => s.due && !s.sentAt).map((s) => s.title),
    consultations: consultations.map((c) => ({
      ...c,
      counselWords: COUNSEL_CHOICES.find((x) => x.value === c.counsel)?.label ?? c.counsel,
    })),
    counselChoices: COUNSEL_CHOICES,
    remedy:
      detail.resolution && remedy
        ? { ...remedy, words: remedyWords({ resolution: detail.resolution as never, ...remedy }) }
        : null,
    canPropose: member.role === 'approver' && allowedMoves(detail.kind, detail.status).includes('resolved'),
    resolutions: COC_RESOLUTIONS,
    monthsWithoutConsultation: MONTHS_WITHOUT_CONSULTATION,
  };
}
