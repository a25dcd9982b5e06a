import crypto from 'node:crypto';
import type { Selectable } from 'kysely';
import { courseRepository } from '../course/course.repository';
import type { CalendarEventTable } from '../course/course.tables';
import type { Db } from '../db/database';
import { Conflict, NotFound } from '../errors';
import { dt, formatDateTime, formatDeadline, formatLocalDate, formatSpan, localDateOf, localInstant } from '../time';
import { eventsRepository as repo } from './events.repository';
import { EDITABLE_KINDS, type EventInput } from './events.schemas';
import { notifyMeetingChanged } from './meeting-changed';

/**
 * Office hours and events. The instructor adds office hours and extra sessions, and moves or
 * cancels them and the campus meetings. Times are entered in the course's zone. Every change
 * bumps the event's SEQUENCE (so calendar apps replace their copy), keeps what it was in the
 * change log, and a moved or cancelled required meeting is emailed to every active student.
 */
type Event = Selectable<CalendarEventTable>;

export const KIND_LABEL: Record<string, string> = {
  launch_party: 'Launch party',
  edx_go_live: 'edX goes live',
  campus_meeting: 'Campus meeting',
  no_class: 'No class',
  office_hours: 'Virtual office hours',
  extra_session: 'Extra session',
  portfolio_due: 'Portfolio deadline',
};

const isEditable = (e: Pick<Event, 'kind'>) => (EDITABLE_KINDS as readonly string[]).includes(e.kind);

/** An event's time; a portfolio deadline is one instant ("Due …"), never a range. */
function when(e: Pick<Event, 'starts_at' | 'ends_at'> & { kind?: Event['kind'] }, zone: string): string {
  if (e.kind === 'portfolio_due') return `Due ${formatDeadline(e.ends_at ?? new Date(e.starts_at.getTime() + 60_000), zone)}`;
  return formatSpan(e.starts_at, e.ends_at, zone);
}

function snapshot(e: Event) {
  return {
    title: e.title,
    starts_at: e.starts_at.toISOString(),
    ends_at: e.ends_at?.toISOString() ?? null,
    location: e.location,
    video_url: e.video_url,
    required: e.required,
    description: e.description,
    status: e.status,
  };
}

async function list(db: Db, offeringId: number, zone: string, now: Date) {
  const [events, offering] = await Promise.all([repo.list(db, offeringId), courseRepository.offering(db, offeringId)]);
  return events.map((e) => ({
    id: e.id,
    kind: e.kind,
    kindLabel: KIND_LABEL[e.kind] ?? e.kind,
    title: e.title,
    when: e.all_day ? formatLocalDate(localDateOf(e.starts_at, offering.time_zone)) : when(e, zone),
    location: e.location,
    videoUrl: e.video_url,
    required: e.required,
    cancelled: e.status === 'cancelled',
    past: (e.ends_at ?? e.starts_at).getTime() <= now.getTime(),
    editable: isEditable(e) && e.status !== 'cancelled',
    sequence: e.sequence,
  }));
}

async function findEditable(db: Db, offeringId: number, eventId: number, lock = false): Promise<Event> {
  const e = await repo.find(db, offeringId, eventId, { lock });
  if (!e) throw new NotFound('There is no such event.');
  if (!isEditable(e)) throw new Conflict(`${KIND_LABEL[e.kind] ?? 'This event'} comes from the course schedule and is not changed here.`);
  if (e.status === 'cancelled') throw new Conflict('This event was cancelled; add a new event instead.');
  return e;
}

/** The edit form's values: the event's date and times in the course zone. */
async function editModel(db: Db, offeringId: number, eventId: number, zone: string) {
  const [e, offering] = await Promise.all([findEditable(db, offeringId, eventId), courseRepository.offering(db, offeringId)]);
  const history = await repo.changes(db, eventId);
  const tz = offering.time_zone;
  return {
    event: { id: e.id, kind: e.kind, kindLabel: KIND_LABEL[e.kind], title: e.title, when: when(e, zone), sequence: e.sequence, required: e.required === true },
    values: {
      kind: e.kind,
      title: e.title,
      on: localDateOf(e.starts_at, tz),
      starts: dt(e.starts_at, tz).toFormat('HH:mm'),
      ends: e.ends_at ? dt(e.ends_at, tz).toFormat('HH:mm') : '',
      location: e.location ?? '',
      videoUrl: e.video_url ?? '',
      description: e.description,
      required: e.required ? 'on' : '',
    },
    history: history.map((c) => {
      const prev = (typeof c.previous === 'string' ? JSON.parse(c.previous) : c.previous) as { starts_at?: string; ends_at?: string | null } | null;
      return {
        sequence: c.sequence,
        action: c.action,
        at: formatDateTime(c.changed_at, zone),
        by: c.changed_by_name,
        previousWhen: prev?.starts_at ? when({ starts_at: new Date(prev.starts_at), ends_at: prev.ends_at ? new Date(prev.ends_at) : null }, zone) : null,
        note: c.note,
      };
    }),
    courseZone: tz,
  };
}

function times(input: EventInput, zone: string) {
  return { starts_at: localInstant(input.on, input.starts, zone), ends_at: localInstant(input.on, input.ends, zone) };
}

async function create(db: Db, offeringId: number, input: EventInput, by: number, now: Date): Promise<Event> {
  const offering = await courseRepository.offering(db, offeringId);
  const e = await repo.insert(db, {
    offering_id: offeringId,
    uid: `${offering.slug}-${input.kind.replace(/_/g, '-')}-${crypto.randomUUID()}@cohort-companion`,
    kind: input.kind,
    title: input.title,
    description: input.description,
    ...times(input, offering.time_zone),
    all_day: false,
    required: input.kind === 'office_hours' ? null : input.required,
    course_week_id: null,
    edx_course_id: null,
    portfolio_requirement_id: null,
    location: input.location || null,
    video_url: input.videoUrl || null,
    updated_at: now,
  });
  await repo.logChange(db, { eventId: e.id, sequence: e.sequence, action: 'created', changedBy: by, at: now, previous: null, note: input.note });
  return e;
}

export interface ChangeResult {
  event: Event;
  emailed: number;
}

/** Moves or edits an event; a required meeting whose time or room changed is emailed to students. */
async function update(db: Db, offeringId: number, eventId: number, input: EventInput, by: number, now: Date, baseUrl: string): Promise<ChangeResult> {
  const before = await findEditable(db, offeringId, eventId, true);
  const offering = await courseRepository.offering(db, offeringId);
  const t = times(input, offering.time_zone);
  const after = await repo.update(
    db,
    eventId,
    {
      title: input.title,
      description: input.description,
      ...t,
      location: input.location || null,
      video_url: input.videoUrl || null,
      required: before.kind === 'office_hours' ? null : input.required,
    },
    now,
  );
  await repo.logChange(db, { eventId, sequence: after.sequence, action: 'changed', changedBy: by, at: now, previous: snapshot(before), note: input.note });
  const moved =
    before.starts_at.getTime() !== after.starts_at.getTime() ||
    (before.ends_at?.getTime() ?? null) !== (after.ends_at?.getTime() ?? null) ||
    (before.location ?? '') !== (after.location ?? '');
  const wasOrIsRequired = before.required === true || after.required === true;
  const emailed = moved && wasOrIsRequired ? await notifyMeetingChanged(db, offering, before, after, { note: input.note, baseUrl }) : 0;
  return { event: after, emailed };
}

async function cancel(db: Db, offeringId: number, eventId: number, note: string, by: number, now: Date, baseUrl: string): Promise<ChangeResult> {
  const before = await findEditable(db, offeringId, eventId, true);
  const offering = await courseRepository.offering(db, offeringId);
  const after = await repo.update(db, eventId, { status: 'cancelled' }, now);
  await repo.logChange(db, { eventId, sequence: after.sequence, action: 'cancelled', changedBy: by, at: now, previous: snapshot(before), note });
  const emailed = before.required === true ? await notifyMeetingChanged(db, offering, before, after, { note, baseUrl }) : 0;
  return { event: after, emailed };
}

export const eventsService = Object.freeze({ list, editModel, create, update, cancel });
