// What the SMTP intake hands on for the automatic acknowledgement to an e-mail reporter, once the
// report is stored; outbound mail (mail/acknowledge.ts) decides whether to answer, builds and sends it.
import type { CaseKind } from '../../db/database';

export interface AcknowledgementRequest {
  reference: string;
  kind: CaseKind;
  /** The intake address it was sent to: the acknowledgement comes from there. */
  intakeAddress: string;
  sender: string | null;
  headers: AutoReplyFacts;
  messageId: string | undefined;
  receipt: string;
  /** The case's reply address (Reply-To): answers land on the case. null: answers arrive as new reports. */
  replyAddress: string | null;
  encrypted: boolean;
  senderKeys: (string | Uint8Array)[];
}

/** What RFC 3834 looks at in the received message's headers (lower-cased values). */
export interface AutoReplyFacts {
  autoSubmitted: string;
  precedence: string;
  /** A List-Id or other List-* header: mail from a mailing list. */
  list: boolean;
  autoResponseSuppress: string;
}

/** Sends (or schedules) the acknowledgement; the SMTP answer never waits for it. */
export type Acknowledge = (request: AcknowledgementRequest) => Promise<void>;
