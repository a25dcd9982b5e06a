import type { Selectable } from 'kysely';
import type { CalendarEventTable, CourseOfferingTable } from '../course/course.tables';
import type { Db } from '../db/database';
import { renderEmail } from '../mail/render';
import { enqueueEmails, type BatchEmail } from '../mail/outbox-batch';
import { formatSpan, withDateLanguage } from '../time';
import { eventsRepository } from './events.repository';

/**
 * Tells every active student that a required meeting moved or was cancelled. Written to the
 * outbox inside the instructor's transaction (the worker sends after commit), one message per
 * student with the times in that student's own zone. The message is rendered once per zone and
 * written with the set-based enqueue (one INSERT per thousand); the dedupe key (event, sequence,
 * student) makes a retried transaction harmless.
 */
type Event = Selectable<CalendarEventTable>;

function when(e: Pick<Event, 'starts_at' | 'ends_at'>, zone: string): string {
  return formatSpan(e.starts_at, e.ends_at, zone);
}

export async function notifyMeetingChanged(
  db: Db,
  offering: Selectable<CourseOfferingTable>,
  before: Event,
  after: Event,
  opts: { note: string; baseUrl: string },
): Promise<number> {
  const cancelled = after.status === 'cancelled';
  const students = await eventsRepository.activeStudents(db, offering.id);
  const rendered = new Map<string, { text: string; html: string }>();
  const subject = `[${offering.code}] ${cancelled ? 'Cancelled' : 'Moved'}: ${after.title}`;
  const emails: BatchEmail[] = [];
  for (const s of students) {
    // Rendered once per zone and language of dates (src/time.ts): the recipient's, not the instructor's.
    const key = `${s.time_zone}|${s.date_language}`;
    let message = rendered.get(key);
    if (!message) {
      message = await withDateLanguage(s.date_language, () =>
        renderEmail('meeting-changed', {
          course: `${offering.code} ${offering.title}`,
          title: after.title,
          cancelled,
          previousWhen: when(before, s.time_zone),
          newWhen: when(after, s.time_zone),
          previousLocation: before.location ?? '',
          location: after.location ?? '',
          videoUrl: after.video_url ?? '',
          zone: s.time_zone.replace(/_/g, ' '),
          note: opts.note,
          calendarUrl: `${opts.baseUrl}/calendar`,
          instructor: offering.instructor_name,
        }),
      );
      rendered.set(key, message);
    }
    const dedupeKey = `meeting-changed-${after.id}-${after.sequence}-${s.id}`;
    emails.push({
      kind: 'meeting_changed',
      userId: s.id,
      to: s.email,
      subject,
      text: message.text,
      html: message.html,
      dedupeKey,
      baseUrl: opts.baseUrl,
    });
  }
  const queued = await enqueueEmails(db, emails);
  return queued.size;
}
