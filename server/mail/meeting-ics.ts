// The iCalendar (RFC 5545) object of a closed-meeting invitation, built with ical-generator: one
// VEVENT per meeting with a UID that never changes, a SEQUENCE that rises with every change, METHOD
// REQUEST (invited, moved) or CANCEL (cancelled, or this invitee removed). It carries the time, the
// link the caller gave and a neutral title with the case reference: nothing of the case.
import ical, { ICalAttendeeRole, ICalAttendeeStatus, ICalCalendarMethod, ICalEventStatus } from 'ical-generator';
import { envelopeAddress } from './transport';

export interface MeetingEvent {
  meetingId: string;
  reference: string;
  startsAt: Date;
  durationMinutes: number;
  link: string;
  sequence: number;
  method: 'REQUEST' | 'CANCEL';
  /** The intake's From (`"Kmesh reports" <noreply@…>`): the organizer. */
  organizer: string;
  attendee: { name: string; email: string };
  projectName: string;
  /** PUBLIC_URL: its host names the UID's domain. */
  publicUrl: string;
}

/** The same for every copy and every change of one meeting. */
export function meetingUid(meetingId: string, publicUrl: string): string {
  return `closed-meeting-${meetingId}@${new URL(publicUrl).hostname}`;
}

export const meetingSummary = (reference: string) => `Closed meeting — ${reference}`;

export function meetingIcs(e: MeetingEvent): string {
  const calendar = ical({
    prodId: { company: e.projectName, product: 'confidential-intake', language: 'EN' },
    method: e.method === 'CANCEL' ? ICalCalendarMethod.CANCEL : ICalCalendarMethod.REQUEST,
  });
  const organizerName = /^\s*"?([^"<]*?)"?\s*</.exec(e.organizer)?.[1]?.trim() || e.projectName;
  calendar.createEvent({
    id: meetingUid(e.meetingId, e.publicUrl),
    sequence: e.sequence,
    stamp: new Date(),
    start: e.startsAt,
    end: new Date(e.startsAt.getTime() + e.durationMinutes * 60_000),
    summary: meetingSummary(e.reference),
    location: e.link,
    url: e.link,
    description: `A closed meeting of the ${e.projectName} approvers. Join at ${e.link}`,
    status: e.method === 'CANCEL' ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    organizer: { name: organizerName, email: envelopeAddress(e.organizer) },
    attendees: [
      {
        name: e.attendee.name,
        email: e.attendee.email,
        role: ICalAttendeeRole.REQ,
        status: ICalAttendeeStatus.NEEDSACTION,
        rsvp: e.method === 'REQUEST',
      },
    ],
  });
  return calendar.toString();
}
