// Who a mail transaction may be addressed to. Only the intake addresses (and their aliases) and
// the reply addresses of cases exist here, and one message becomes one case or one reporter's
// message: so a transaction has at most as many RCPT commands as there are intake addresses (plus
// one reply address), far below RFC 5321's 100. Repeats are folded (compared without case) and
// count against that cap, so that a thousand pipelined RCPT TO cost nothing but 452s.
import type { CaseKind } from '../../db/database';
import { parseReplyAddress } from './reply-address';
import { SmtpRefusal, tryLater } from './refusal';

/** Where a transaction's message goes: a new case of this kind, or the case of a reply address. */
export interface Destination {
  kind: CaseKind;
  replyToken: string | null;
}

export interface RecipientRules {
  /** RCPT commands one transaction may carry. */
  readonly cap: number;
  /** Accepts `address` into the transaction of `envelope`, or throws the SmtpRefusal to answer. */
  accept(address: string, envelope: object): Promise<void>;
  /** Where the transaction's accepted recipients send the message (after at least one RCPT was accepted). */
  destination(envelope: object): Destination;
}

interface Transaction {
  commands: number;
  accepted: Set<string>;
  destination: Destination | null;
}

export function recipientRules(
  kinds: ReadonlyMap<string, CaseKind>,
  /** The kind of the case whose reply address has this token, if it still takes mail. */
  replyCaseKind: (token: string) => Promise<CaseKind | undefined>,
): RecipientRules {
  const cap = Math.min(100, kinds.size + 1);
  // Keyed by the envelope object, which smtp-server replaces at every MAIL FROM, RSET and EHLO.
  const transactions = new WeakMap<object, Transaction>();
  const published = [...kinds.keys()].join(', ');

  async function resolve(address: string): Promise<Destination> {
    const kind = kinds.get(address);
    if (kind) return { kind, replyToken: null };
    const reply = parseReplyAddress(address);
    const base = reply ? kinds.get(reply.intakeAddress) : undefined;
    if (reply && base) {
      const caseKind = await replyCaseKind(reply.token).catch((error: unknown) => {
        throw tryLater('The reply address could not be checked.', error);
      });
      if (caseKind === base) return { kind: base, replyToken: reply.token };
    }
    // An unknown, expired or mistyped reply address is refused like any other unknown mailbox.
    throw new SmtpRefusal(550, `No such mailbox here. This server takes confidential reports for ${published} only.`);
  }

  return {
    cap,
    async accept(raw, envelope) {
      let transaction = transactions.get(envelope);
      if (!transaction)
        transactions.set(envelope, (transaction = { commands: 0, accepted: new Set(), destination: null }));
      transaction.commands += 1;
      if (transaction.commands > cap) {
        throw new SmtpRefusal(
          452,
          `Too many recipients: at most ${cap} in one message here. Send the others in a message of their own.`,
        );
      }
      const address = raw.trim().toLowerCase();
      if (transaction.accepted.has(address)) return;
      const wanted = await resolve(address);
      const current = transaction.destination;
      if (current && current.kind !== wanted.kind) {
        // One message, one case: the sending server retries this recipient in a transaction of its own.
        throw new SmtpRefusal(
          452,
          'Security and Code of Conduct reports go in separate messages; this recipient will be retried on its own.',
        );
      }
      if (current?.replyToken && wanted.replyToken && current.replyToken !== wanted.replyToken) {
        throw new SmtpRefusal(
          452,
          'Replies to two cases go in separate messages; this recipient will be retried on its own.',
        );
      }
      // A reply address with its intake address (a "reply all"): the message goes to the case, once.
      transaction.destination = { kind: wanted.kind, replyToken: current?.replyToken ?? wanted.replyToken };
      transaction.accepted.add(address);
    },
    destination(envelope) {
      const destination = transactions.get(envelope)?.destination;
      if (!destination) throw new SmtpRefusal(503, 'No recipient was accepted in this transaction.');
      return destination;
    },
  };
}
