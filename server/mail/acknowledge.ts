// The automatic acknowledgement to an e-mail reporter. Sent from memory: the address is never
// persisted to do it, so a relay outage is bridged by a few in-memory retries, and a restart in
// between loses the acknowledgement (never the report). RFC 3834 rules keep it from looping or
// answering bulk and automatic mail.
import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import type { CaseKind, Database } from '../../db/database';
import { responseTargets } from '../governance/charter';
import { KIND_WORDS } from '../cases/case-words';
import { senderKeyFromMail } from '../../crypto/sender-key';
import { encryptArmored } from '../../crypto/split-message';
import type { Config } from '../config';
import type { AcknowledgementRequest } from '../intake/mail-acknowledgement';
import type { Logger } from '../log';
import type { MailTemplates } from './compose';
import { plainTextEntity } from '../../crypto/pgp-mime-entity';
import { pgpMimeMessage } from './pgp-mime';
import type { Mailer } from './transport';

const RETRY_MINUTES = [1, 5, 15, 60];
const PER_SENDER_PER_HOUR = 3;

export class Acknowledger {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly recent = new Map<string, number[]>();

  constructor(
    private readonly deps: {
      config: Config;
      mailer: Mailer;
      templates: MailTemplates;
      log: Logger;
      /** The charter, for the promised days (the configuration's without it). */
      db?: Kysely<Database>;
    },
  ) {}

  /** Decides, builds and sends (or schedules) the acknowledgement; never throws. */
  async acknowledge(request: AcknowledgementRequest): Promise<void> {
    const to = this.recipient(request);
    if (to === null) return;
    if (!this.deps.mailer.configured) {
      this.deps.log.info('acknowledgement not sent: no mail relay is configured (SMTP_URL)', {
        reference: request.reference,
      });
      return;
    }
    let mail;
    try {
      mail = await this.build(request, to);
    } catch (error) {
      this.deps.log.error('acknowledgement could not be built', { reference: request.reference, error });
      return;
    }
    await this.attempt(mail, request.reference, 0);
  }

  /** Acknowledgements still waiting for a retry (lost if the process stops). */
  pending(): number {
    return this.timers.size;
  }

  close(): void {
    if (this.timers.size > 0)
      this.deps.log.warn('stopping with acknowledgements not yet sent; they are dropped', { count: this.timers.size });
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  /** The envelope sender, unless RFC 3834 or loop prevention says not to answer. */
  private recipient(request: AcknowledgementRequest): string | null {
    const sender = request.sender?.trim().toLowerCase() ?? '';
    if (sender === '' || !sender.includes('@')) return null;
    const ours = [...this.deps.config.mail.addresses.security, ...this.deps.config.mail.addresses.coc];
    // Our own addresses, with any +tag (a reply address): an acknowledgement there would file itself.
    const untagged = sender.replace(/\+[^@]*@/, '@');
    if (ours.includes(untagged) || this.deps.config.mail.from.toLowerCase().includes(`<${sender}>`)) return null;
    if (/^(mailer-daemon|postmaster|no-?reply|bounces?|listserv|majordomo)([+-]|@)/.test(sender)) return null;
    const facts = request.headers;
    if (facts.autoSubmitted !== '' && facts.autoSubmitted !== 'no') return null;
    if (['bulk', 'list', 'junk'].includes(facts.precedence) || facts.list) return null;
    if (/\b(all|autoreply)\b/.test(facts.autoResponseSuppress)) return null;

    const key = crypto.createHash('sha256').update(sender).digest('base64url');
    const now = Date.now();
    const times = (this.recent.get(key) ?? []).filter((t) => now - t < 3_600_000);
    if (times.length >= PER_SENDER_PER_HOUR) return null;
    this.recent.set(key, [...times, now]);
    if (this.recent.size > 10_000) this.recent.clear();
    return sender;
  }

  private async build(request: AcknowledgementRequest, to: string) {
    let senderKey = null;
    for (const candidate of request.senderKeys) {
      senderKey = await senderKeyFromMail(candidate, to).catch(() => null);
      if (senderKey) break;
    }
    // The receipt opens the reporter's copy of the report: it travels only where the report itself did.
    const receipt = senderKey || !request.encrypted ? request.receipt : null;
    const body = this.deps.templates.acknowledgement({
      reference: request.reference,
      kind: request.kind,
      address: request.intakeAddress,
      replyAddress: request.replyAddress,
      receipt,
      encrypted: request.encrypted,
      ackDays: this.deps.db && (await responseTargets(this.deps.db, this.deps.config)).acknowledgeDays[request.kind],
    });
    const from = `"${this.deps.config.projectName.replace(/["\\]/g, '')} ${KIND_WORDS[request.kind].adjective}" <${request.intakeAddress}>`;
    const headers: Record<string, string> = {
      'Auto-Submitted': 'auto-replied',
      'X-Auto-Response-Suppress': 'All',
      ...(request.replyAddress ? { 'Reply-To': request.replyAddress } : {}),
    };
    const threading: Record<string, string> = request.messageId
      ? { 'In-Reply-To': request.messageId, References: request.messageId }
      : {};
    if (!senderKey)
      return {
        from,
        to,
        subject: body.subject,
        text: body.text,
        headers,
        inReplyTo: request.messageId,
        references: request.messageId,
      };
    const entity = plainTextEntity(body.text, body.subject);
    const armored = await encryptArmored({ data: entity, recipients: [senderKey.key] });
    const raw = await pgpMimeMessage({
      from,
      to,
      subject: `Received: your report ${request.reference}`,
      armored,
      headers: { ...headers, ...threading },
    });
    return { from, to, raw };
  }

  private async attempt(mail: Parameters<Mailer['send']>[0], reference: string, retry: number): Promise<void> {
    try {
      await this.deps.mailer.send(mail);
      this.deps.log.info('acknowledgement sent', { reference });
    } catch (error) {
      const minutes = RETRY_MINUTES[retry];
      if (minutes === undefined) {
        this.deps.log.warn('acknowledgement given up after retries', { reference, ...relayFailure(error) });
        return;
      }
      this.deps.log.warn('acknowledgement not sent yet; retrying from memory', {
        reference,
        inMinutes: minutes,
        ...relayFailure(error),
      });
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        void this.attempt(mail, reference, retry + 1);
      }, minutes * 60_000);
      timer.unref();
      this.timers.add(timer);
    }
  }
}

/** What may be logged of a relay's refusal: its codes. Its text often quotes the recipient's address. */
function relayFailure(error: unknown): Record<string, unknown> {
  const e = error as { code?: string; responseCode?: number };
  return { failure: e.code ?? 'error', responseCode: e.responseCode };
}
