// Each kind of case and each message role in words, one table each: a new kind or role is named here once.
import type { CaseKind, MessageRole } from '../../db/database';

export interface KindWords {
  /** The heading of the form and of the report's text. */
  title: string;
  /** In a sentence: "a security report", "your Code of Conduct report". */
  report: string;
  /** Before a noun: "a security case", the acknowledgement's sender name. */
  adjective: string;
  /** Who handles it, as the reporter's acknowledgement says. */
  handlers: string;
}

export const KIND_WORDS: Readonly<Record<CaseKind, KindWords>> = {
  security: {
    title: 'Security vulnerability report',
    report: 'security report',
    adjective: 'security',
    handlers: 'the Security Response Team',
  },
  coc: {
    title: 'Code of Conduct report',
    report: 'Code of Conduct report',
    adjective: 'Code of Conduct',
    handlers: "the project's approvers",
  },
};

export const KIND_TITLES: Readonly<Record<CaseKind, string>> = {
  security: KIND_WORDS.security.title,
  coc: KIND_WORDS.coc.title,
};

export interface MessageWords {
  /** On the dashboard's case page. */
  member: string;
  /** In a member's notification mail. */
  mail: string;
  /** On the reporter's follow-up page; a comment is never shown there. */
  reporter?: string;
}

export const MESSAGE_WORDS: Readonly<Record<MessageRole, MessageWords>> = {
  report: { member: 'Report', mail: 'report', reporter: 'Your report' },
  attachment: { member: 'Attachment', mail: 'attachment', reporter: 'Your attachment' },
  comment: { member: 'Comment (responders only)', mail: 'comment from a responder' },
  reply: { member: 'Reply to the reporter', mail: 'reply to the reporter', reporter: 'Reply from the team' },
  'reporter-reply': { member: 'Answer from the reporter', mail: 'message from the reporter', reporter: 'Your message' },
  'committee-decision': {
    member: 'The CNCF CoC Committee’s decision (recorded by the liaison)',
    mail: 'decision of the CNCF Code of Conduct Committee',
  },
  'meeting-minutes': { member: 'Minutes of a closed meeting', mail: 'minutes of a closed meeting' },
  'advisory-draft': { member: 'Advisory draft', mail: 'advisory draft' },
  'embargo-leak': { member: 'Embargo leak: what leaked', mail: 'record of an embargo leak' },
};

/** The labels one reader sees, by role (no prototype: a role from stored data never finds an inherited name). */
export function messageLabels(reader: keyof MessageWords): Readonly<Record<string, string>> {
  const labels = Object.create(null) as Record<string, string>;
  for (const [role, words] of Object.entries(MESSAGE_WORDS))
    if (words[reader] !== undefined) labels[role] = words[reader];
  return Object.freeze(labels);
}
