// A proposal in words, as the case page and the decisions page show it ("Appoint Lena as liaison").
import type { ProposalKind, ProposalStatus } from '../../db/database';
import { settingChangeTitle } from './charter';
import { cocResolutionTitle } from './cncf-record';
import { srtAppointmentTitle } from './srt-team';

/** What each kind of proposal does, `name` being the member it is about, `key` and `payload` what it carries. */
export function proposalTitle(
  kind: ProposalKind,
  name: string,
  key: string | null = null,
  payload: unknown = null,
): string {
  switch (kind) {
    case 'refer':
      return 'Refer this case to the CNCF CoC Committee';
    case 'appoint-liaison':
      return `Appoint ${name} as liaison`;
    case 'end-liaison':
      return `End ${name}’s appointment`;
    case 'lift-conflict':
      return `Lift ${name}’s conflict`;
    case 'downgrade-conflict':
      return `Downgrade ${name}’s conflict to soft`;
    case 'extend-srt-access':
      return `Give ${name} the closed security cases too`;
    case 'appoint-srt':
      return srtAppointmentTitle(payload);
    case 'srt-reviewed':
      return 'Record that the Security Response Team has been reviewed';
    case 'change-setting':
      return settingChangeTitle(key, payload);
    case 'resolve-coc':
      return cocResolutionTitle(payload);
    case 'publish-advisory':
      return 'Publish the advisory and move the case to published';
    case 'lift-legal-hold':
      return 'Lift the legal hold on this case';
  }
}

/** The kind alone, for the audit trail (which may not name who it is about). */
export const PROPOSAL_KIND_WORDS: Readonly<Record<ProposalKind, string>> = Object.freeze({
  refer: 'refer the case to the CNCF CoC Committee',
  'appoint-liaison': 'appoint a liaison',
  'end-liaison': 'end a liaison’s appointment',
  'lift-conflict': 'lift a conflict of interest',
  'downgrade-conflict': 'downgrade a conflict of interest to soft',
  'extend-srt-access': 'give a member of the SRT the closed security cases',
  'appoint-srt': 'appoint the Security Response Team',
  'srt-reviewed': 'record the Security Response Team’s yearly review',
  'change-setting': 'change a setting of the charter',
  'resolve-coc': 'resolve a Code of Conduct case with a remedy',
  'publish-advisory': 'publish the advisory',
  'lift-legal-hold': 'lift a legal hold',
});

export const STATUS_WORDS: Readonly<Record<ProposalStatus, string>> = Object.freeze({
  open: 'Open',
  passed: 'Passed',
  rejected: 'Rejected',
  withdrawn: 'Withdrawn',
  lapsed: 'Lapsed',
});

export const CHOICE_WORDS: Readonly<Record<string, string>> = Object.freeze({
  yes: 'Yes',
  no: 'No',
  abstain: 'Abstain',
});
