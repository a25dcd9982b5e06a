import { eventsFor } from '../course/audience';
import ical, { ICalEventStatus } from 'ical-generator';
import type { Db } from '../db/database';
import { addDays, localDateOf } from '../time';
import crypto from 'node:crypto';
import { courseCache, type CourseSnapshot } from '../course/course-cache';
import type { Role } from '../roles';
import { approvedExtensionsOf, deadlinesOf } from '../portfolio/deadlines';
import { calendarFeedRepository } from './calendar-feed.repository';
import { calendarEntriesOf, type CalendarEntry } from './calendar.service';

/**
 * The personal iCalendar (RFC 5545) feed behind a secret URL. Times are UTC instants (DTSTART…Z),
 * so every client shows the right local time on both sides of a DST change; all-day events are
 * dates on the course's calendar. UIDs are calendar_event.uid, SEQUENCE its sequence (plus one
 * when the reader's extension moved a deadline), cancelled events stay with STATUS:CANCELLED.
 * Text is escaped by ical-generator, so what an instructor typed stays inert.
 */
export function feedUrl(baseUrl: string, token: string): string {
  return `${baseUrl}/calendar/feed/${token}.ics`;
}

/** The same URL with the webcal scheme: one click subscribes in Apple Calendar and Outlook. */
export function webcalUrl(baseUrl: string, token: string): string {
  return feedUrl(baseUrl, token).replace(/^https?:/, 'webcal:');
}

/** The reader's feed status for the calendar page. */
export async function feedLink(db: Db, userId: number, baseUrl: string) {
  const live = await calendarFeedRepository.liveForUser(db, userId);
  return live ? { url: feedUrl(baseUrl, live.token), webcal: webcalUrl(baseUrl, live.token), createdAt: live.created_at } : null;
}

/** Revokes any live link and issues a new one (one transaction). */
export async function regenerateFeed(trx: Db, userId: number, now: Date): Promise<{ token: string; replaced: boolean }> {
  await calendarFeedRepository.lockUser(trx, userId);
  const revoked = await calendarFeedRepository.revokeAll(trx, userId, now);
  return { token: await calendarFeedRepository.create(trx, userId, now), replaced: revoked > 0 };
}

export async function revokeFeed(trx: Db, userId: number, now: Date): Promise<number> {
  await calendarFeedRepository.lockUser(trx, userId);
  return calendarFeedRepository.revokeAll(trx, userId, now);
}

function summaryOf(e: CalendarEntry): string {
  if (e.kind === 'portfolio_due') return `Deadline: ${e.title}`;
  if (e.required === true) return `Required: ${e.title}`;
  if (e.required === false) return `Optional: ${e.title}`;
  return e.title;
}

function descriptionOf(e: CalendarEntry, calendarPage: string): string {
  const lines = [e.description];
  if (e.videoUrl) lines.push(`Join online: ${e.videoUrl}`);
  lines.push(`Course calendar: ${calendarPage}`);
  return lines.filter((l) => l && l.trim()).join('\n');
}

/**
 * A feed is polled by every calendar app of every learner, mostly unchanged. Its content depends
 * only on the course data (its version), the reader's kind, zone and approved extensions: those
 * make its entity tag, so a poll with a matching If-None-Match is answered 304 without building
 * anything, and readers who share them share one built body (a small per-instance memo). The tag
 * is computed from what the database says on every poll, so a change made through any instance
 * shows at the next poll.
 */
const FEED_FORMAT = 1;
const MEMO_LIMIT = 500;
const built = new Map<string, string>();

export interface Feed {
  etag: string;
  body: () => string;
}

/** The feed for a live token, or null (unknown, revoked, or the account is deactivated). */
export async function feedForToken(db: Db, token: string, baseUrl: string, now: Date): Promise<Feed | null> {
  const owner = await calendarFeedRepository.ownerOfToken(db, token);
  if (!owner) return null;
  const [course, extensions] = await Promise.all([
    courseCache.current(db, owner.offering_id),
    approvedExtensionsOf(db, owner.role === 'student' ? owner.id : null),
  ]);
  const key = JSON.stringify([
    FEED_FORMAT,
    baseUrl,
    owner.offering_id,
    course.version,
    owner.role,
    owner.time_zone,
    [...extensions.entries()].sort((a, b) => a[0] - b[0]),
  ]);
  const etag = `"${crypto.createHash('sha256').update(key).digest('base64url').slice(0, 27)}"`;
  return {
    etag,
    body: () => {
      const memo = built.get(etag);
      if (memo !== undefined) return memo;
      const body = buildFeed(course, extensions, owner, baseUrl, now);
      if (built.size >= MEMO_LIMIT) built.delete(built.keys().next().value!);
      built.set(etag, body);
      return body;
    },
  };
}

function buildFeed(
  course: CourseSnapshot,
  extensions: Awaited<ReturnType<typeof approvedExtensionsOf>>,
  owner: { role: Role; time_zone: string },
  baseUrl: string,
  now: Date,
): string {
  const offering = course.offering;
  const entries = eventsFor(owner.role, calendarEntriesOf(course, deadlinesOf(course, extensions), owner.time_zone));
  const calendarPage = `${baseUrl}/calendar`;
  const cal = ical({
    name: `${offering.code} ${offering.term}`,
    description:
      owner.role === 'community'
        ? `${offering.title}: virtual office hours and course events.`
        : `${offering.title}: campus meetings, course events and portfolio deadlines.`,
    prodId: { company: 'Cohort Companion', product: offering.slug, language: 'EN' },
    url: calendarPage,
    ttl: 60 * 60 * 6,
  });
  for (const e of entries) {
    const allDayOn = e.allDay ? localDateOf(e.startsAt, offering.time_zone) : null;
    const allDayEnd = e.allDay && e.endsAt ? localDateOf(e.endsAt, offering.time_zone) : null;
    cal.createEvent({
      id: e.uid,
      sequence: e.sequence + (e.extended ? 1 : 0),
      stamp: now,
      ...(allDayOn
        ? { allDay: true, start: allDayOn, end: allDayEnd && allDayEnd > allDayOn ? allDayEnd : addDays(allDayOn, 1) }
        : { start: e.startsAt, end: e.endsAt ?? new Date(e.startsAt.getTime() + 60 * 60_000) }),
      summary: summaryOf(e),
      description: descriptionOf(e, calendarPage),
      location: e.location,
      url: e.videoUrl ?? calendarPage,
      status: e.cancelled ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    });
  }
  return cal.toString();
}
