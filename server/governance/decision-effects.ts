// What each kind of decision does once it passes, and what must hold for it to be proposed and,
// checked again, carried out. OWNER: helper "decisions"; the functions it calls belong to the
// modules that own each change (referral, access, liaison, conflicts).
import type { Kysely, Transaction } from 'kysely';
import type { Database, ProposalKind } from '../../db/database';
import { checkSrtExtension, grantClosedSecurityCases } from './access';
import { checkConflictChange, downgradeConflict, liftConflict } from './conflicts';
import {
  appointLiaison,
  checkLiaisonAppointment,
  checkLiaisonEnd,
  endLiaison,
  notifyLiaisonAppointed,
} from './liaison';
import type { CaseEvents } from '../cases/case-events';
import { checkReferral, startReferral } from './referral';
import type { GovernanceActor } from './governance-actor';
import type { Threshold } from './decision-rules';
import { appointSrt, checkSrtAppointment } from './srt-team';
import { checkSrtReview, recordSrtReview } from './srt-review';
import { applySettingChange, checkSettingChange, settingThreshold } from './charter';
import { checkCocResolution, resolveCocByDecision } from './cncf-record';
import { checkAdvisoryPublication, publishAdvisory } from '../disclosure/advisory-publish';
import { checkHoldLift, liftLegalHold } from '../retention/legal-hold';

type Db = Kysely<Database> | Transaction<Database>;

/** What a proposal is about. */
export interface DecisionSubject {
  caseId: string | null;
  subjectMemberId: string | null;
  subjectConflictId: string | null;
  /** What it is about beyond a member or a conflict (a setting's key). */
  subjectKey?: string | null;
  /** What it would do, as proposed (checked by `check`); null for kinds that carry nothing. */
  payload?: unknown;
}

export interface DecisionEffect {
  /** Whether this can be proposed now, and — checked again when it passes — still be carried out; throws a DomainError in plain words. */
  check(db: Db, subject: DecisionSubject): Promise<void>;
  /** Carries out the passed decision inside the transaction that records it passed. */
  apply(trx: Transaction<Database>, subject: DecisionSubject, actor: GovernanceActor): Promise<void>;
  /** What to tell once the transaction that applied it committed (a notification); never fails the decision. */
  afterCommit?(events: CaseEvents, subject: DecisionSubject): Promise<void>;
  /** The majority it needs (default: a simple majority of all eligible); a two-thirds proposal is a vote from the start. */
  threshold?(subject: DecisionSubject): Threshold;
}

function required(value: string | null, what: string): string {
  if (value === null) throw new TypeError(`this kind of decision needs ${what}`);
  return value;
}

export const DECISION_EFFECTS: Readonly<Record<ProposalKind, DecisionEffect>> = Object.freeze({
  refer: {
    check: (db, s) => checkReferral(db, required(s.caseId, 'a case')),
    apply: (trx, s, actor) => startReferral(trx, required(s.caseId, 'a case'), actor),
  },
  'appoint-liaison': {
    check: (db, s) =>
      checkLiaisonAppointment(db, required(s.caseId, 'a case'), required(s.subjectMemberId, 'a member')),
    apply: (trx, s, actor) =>
      appointLiaison(trx, required(s.caseId, 'a case'), required(s.subjectMemberId, 'a member'), actor),
    afterCommit: (events, s) =>
      notifyLiaisonAppointed(events, required(s.caseId, 'a case'), required(s.subjectMemberId, 'a member')),
  },
  'end-liaison': {
    check: (db, s) => checkLiaisonEnd(db, required(s.caseId, 'a case'), required(s.subjectMemberId, 'a member')),
    apply: (trx, s, actor) =>
      endLiaison(trx, required(s.caseId, 'a case'), required(s.subjectMemberId, 'a member'), 'decision', actor),
  },
  'lift-conflict': {
    check: (db, s) => checkConflictChange(db, required(s.subjectConflictId, 'a conflict'), 'none'),
    apply: (trx, s, actor) => liftConflict(trx, required(s.subjectConflictId, 'a conflict'), actor),
  },
  'downgrade-conflict': {
    check: (db, s) => checkConflictChange(db, required(s.subjectConflictId, 'a conflict'), 'soft'),
    apply: (trx, s, actor) => downgradeConflict(trx, required(s.subjectConflictId, 'a conflict'), actor),
  },
  'extend-srt-access': {
    check: (db, s) => checkSrtExtension(db, required(s.subjectMemberId, 'a member')),
    apply: async (trx, s, actor) => {
      await grantClosedSecurityCases(trx, required(s.subjectMemberId, 'a member'), actor);
    },
  },
  'appoint-srt': {
    check: (db, s) => checkSrtAppointment(db, s.payload ?? null),
    apply: (trx, s, actor) => appointSrt(trx, s.payload ?? null, actor),
  },
  'srt-reviewed': {
    check: (db) => checkSrtReview(db),
    apply: (trx, _s, actor) => recordSrtReview(trx, actor),
  },
  'change-setting': {
    check: (db, s) => checkSettingChange(db, s.subjectKey ?? null, s.payload ?? null),
    apply: (trx, s, actor) => applySettingChange(trx, s.subjectKey ?? null, s.payload ?? null, actor),
    threshold: (s) => settingThreshold(s.subjectKey ?? null),
  },
  'resolve-coc': {
    check: (db, s) => checkCocResolution(db, required(s.caseId, 'a case'), s.payload ?? null),
    apply: (trx, s, actor) => resolveCocByDecision(trx, required(s.caseId, 'a case'), s.payload ?? null, actor),
  },
  'publish-advisory': {
    check: (db, s) => checkAdvisoryPublication(db, required(s.caseId, 'a case')),
    apply: (trx, s, actor) => publishAdvisory(trx, required(s.caseId, 'a case'), actor),
  },
  'lift-legal-hold': {
    check: (db, s) => checkHoldLift(db, required(s.caseId, 'a case')),
    apply: (trx, s, actor) => liftLegalHold(trx, required(s.caseId, 'a case'), actor),
  },
});
