// The closed-meeting mails an SMTP sink received, parsed as a member's mail program and calendar
// would: the mail with mailparser, its .ics with ical.js (a real iCalendar parser, Mozilla's).
import ICAL from 'ical.js';
import { simpleParser } from 'mailparser';
import type { SmtpSink } from './mail-scenario';

export interface Invitation {
  to: string;
  subject: string;
  raw: string;
  method: string;
  uid: string;
  sequence: number;
  /** DTSTART, as an ISO time in UTC. */
  start: string;
  summary: string;
  attendee: string;
  organizer: string;
  location: string;
  description: string;
}

export async function meetingInvitations(sink: SmtpSink): Promise<Invitation[]> {
  const found: Invitation[] = [];
  for (const m of sink.messages) {
    const parsed = await simpleParser(m.raw);
    if (!parsed.subject?.includes('Closed meeting')) continue;
    const ics = parsed.attachments.find((a) => a.filename === 'meeting.ics');
    if (!ics) throw new Error(`a meeting mail to ${m.to.join(',')} has no meeting.ics`);
    const calendar = new ICAL.Component(ICAL.parse(ics.content.toString('utf8')));
    const event = calendar.getFirstSubcomponent('vevent');
    if (!event) throw new Error('the .ics has no VEVENT');
    found.push({
      to: m.to.join(','),
      subject: parsed.subject,
      raw: m.raw.toString(),
      method: String(calendar.getFirstPropertyValue('method')),
      uid: String(event.getFirstPropertyValue('uid')),
      sequence: Number(event.getFirstPropertyValue('sequence')),
      start: (event.getFirstPropertyValue('dtstart') as ICAL.Time).toJSDate().toISOString(),
      summary: String(event.getFirstPropertyValue('summary')),
      attendee: String(event.getFirstPropertyValue('attendee')),
      organizer: String(event.getFirstPropertyValue('organizer')),
      location: String(event.getFirstPropertyValue('location')),
      description: String(event.getFirstPropertyValue('description')),
    });
  }
  return found;
}

/** Waits (briefly: the queue sends shortly) until the sink holds at least `count` meeting mails. */
export async function waitForInvitations(sink: SmtpSink, count: number): Promise<Invitation[]> {
  const until = Date.now() + 30_000;
  for (;;) {
    const found = await meetingInvitations(sink);
    if (found.length >= count || Date.now() > until) return found;
    await new Promise((r) => setTimeout(r, 200));
  }
}
