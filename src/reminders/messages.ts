import type { Db } from '../db/database';
import { portfolioChecklists, type Checklist } from '../portfolio/checklist';
import { submissionsRepository } from '../portfolio/submissions.repository';
import { courseRepository } from '../course/course.repository';
import {
  formatDateTime,
  formatDeadline,
  formatDuration,
  formatLocalDate,
  formatSpan,
  formatWithZoneName,
  isValidZone,
  currentDateLanguage,
  withDateLanguage,
} from '../time';
import { renderEmailFast } from './email-templates';
import type { Reminder } from './reminders.repository';
import { anyOf } from '../db/any';

/**
 * A reminder as the student (or community learner) reads it: view models in their own zone, rendered from
 * views/emails/reminder-*.ejs and weekly-nudge.*.ejs (text + HTML). Loads what a batch needs in a constant number of
 * queries (the checklist is batched per portfolio requirement).
 */
export interface ReminderEmail {
  reminderId: number;
  userId: number;
  kind: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
}

export interface RenderResult {
  emails: ReminderEmail[];
  failures: { reminderId: number; error: string }[];
}

type Loaded = Awaited<ReturnType<typeof loadBatch>>;

async function loadBatch(db: Db, reminders: Reminder[]) {
  const userIds = [...new Set(reminders.map((r) => r.user_id))];
  const reqIds = [...new Set(reminders.flatMap((r) => (r.portfolio_requirement_id ? [r.portfolio_requirement_id] : [])))];
  const eventIds = [...new Set(reminders.flatMap((r) => (r.calendar_event_id ? [r.calendar_event_id] : [])))];
  const offeringIds = [...new Set(reminders.map((r) => r.offering_id))];
  const nudgeOfferings = [...new Set(reminders.filter((r) => r.kind === 'weekly_nudge').map((r) => r.offering_id))];
  const [users, offerings, requirements, events, submissions, weeks] = await Promise.all([
    userIds.length ? db.selectFrom('app_user').select(['id', 'name', 'email', 'time_zone', 'date_language']).where('id', '=', anyOf(userIds)).execute() : [],
    offeringIds.length ? db.selectFrom('course_offering').selectAll().where('id', '=', anyOf(offeringIds)).execute() : [],
    reqIds.length
      ? db
          .selectFrom('portfolio_requirement as pr')
          .innerJoin('edx_course as c', 'c.id', 'pr.edx_course_id')
          .select(['pr.id', 'pr.title', 'pr.due_on', 'c.code as edx_code'])
          .where('pr.id', '=', anyOf(reqIds))
          .execute()
      : [],
    eventIds.length
      ? db
          .selectFrom('calendar_event as e')
          .leftJoin('course_week as w', 'w.id', 'e.course_week_id')
          .leftJoin('unit as u', 'u.id', 'w.unit_id')
          .leftJoin('edx_course as c', 'c.id', 'e.edx_course_id')
          .select(['e.id', 'e.title', 'e.starts_at', 'e.ends_at', 'e.location', 'e.video_url', 'e.description', 'w.label as week_label'])
          .select(['u.id as unit_id', 'u.title as unit_title', 'c.code as edx_code'])
          .where('e.id', '=', anyOf(eventIds))
          .execute()
      : [],
    reqIds.length ? submissionsRepository.latestCompletenessOf(db, userIds, reqIds) : [],
    Promise.all(nudgeOfferings.map((o) => courseRepository.weeks(db, o))),
  ]);
  const checklists = new Map<number, Map<number, Checklist>>();
  for (const reqId of reqIds) {
    const forReq = [...new Set(reminders.filter((r) => r.portfolio_requirement_id === reqId).map((r) => r.user_id))];
    checklists.set(reqId, await portfolioChecklists(db, reqId, forReq));
  }
  return {
    users: new Map(users.map((u) => [u.id, u])),
    offerings: new Map(offerings.map((o) => [o.id, o])),
    requirements: new Map(requirements.map((r) => [r.id, r])),
    events: new Map(events.map((e) => [e.id, e])),
    submissions: new Map(submissions.map((s) => [`${s.user_id}:${s.portfolio_requirement_id}`, s])),
    checklists,
    weeks: new Map(weeks.flat().map((w) => [w.id, w])),
  };
}

/** "Mon, Feb 24, 5:00 PM EST": short, for a subject line. */
function shortDateTime(at: Date, zone: string): string {
  return formatWithZoneName(at, zone, 'ccc, LLL d, h:mm a');
}

/** A deadline's last counting minute, short (the one deadline formatter, its subject-line style). */
function shortDeadline(dueAt: Date, zone: string): string {
  return formatDeadline(dueAt, zone, 'short');
}

/**
 * Formatting an instant in a zone (luxon, Intl) costs far more than rendering the template; a
 * batch has few distinct (instant, zone) pairs, so each is formatted once.
 */
type Memo = <T>(key: string, make: () => T) => T;

function memoizer(): Memo {
  const cache = new Map<string, unknown>();
  return <T>(key: string, make: () => T): T => {
    if (!cache.has(key)) cache.set(key, make());
    return cache.get(key) as T;
  };
}

function renderOne(r: Reminder, data: Loaded, baseUrl: string, now: Date, memo: Memo): ReminderEmail {
  const user = data.users.get(r.user_id)!;
  const offering = data.offerings.get(r.offering_id)!;
  const zone = memo(`zone|${user.time_zone}`, () => (isValidZone(user.time_zone) ? user.time_zone : offering.time_zone));
  const at = (fn: (d: Date, z: string) => string, name: string, d: Date, z: string) =>
    memo(`${name}|${d.getTime()}|${z}|${currentDateLanguage()}`, () => fn(d, z));
  const common = {
    name: user.name,
    course: `${offering.code} ${offering.title}`,
    courseCode: offering.code,
    zone,
    courseZone: offering.time_zone,
    sameZone: zone === offering.time_zone,
    settingsUrl: `${baseUrl}/settings`,
    instructor: offering.instructor_name,
  };
  if (r.kind === 'portfolio_deadline') {
    const req = data.requirements.get(r.portfolio_requirement_id!)!;
    const checklist = data.checklists.get(req.id)!.get(r.user_id)!;
    const submission = data.submissions.get(`${r.user_id}:${req.id}`);
    const model = {
      ...common,
      title: req.title,
      edxCode: req.edx_code,
      dueLocal: at(formatDeadline, 'deadline', r.target_at, zone),
      dueCourse: at(formatDeadline, 'deadline', r.target_at, offering.time_zone),
      extended: r.target_on !== req.due_on,
      timeLeft: formatDuration(r.target_at.getTime() - now.getTime()),
      missing: checklist.missing.map((i) => ({ label: i.label, url: `${baseUrl}${i.fixUrl}` })),
      presentCount: checklist.presentCount,
      total: checklist.total,
      submission: submission ? { when: at(formatDateTime, 'datetime', submission.submitted_at, zone), complete: submission.is_complete } : null,
      portfolioUrl: `${baseUrl}/portfolios/${req.id}`,
      settingsUrl: `${baseUrl}/settings`,
    };
    const { text, html } = renderEmailFast('reminder-portfolio', model);
    return {
      reminderId: r.id,
      userId: r.user_id,
      kind: 'reminder_portfolio',
      to: user.email,
      subject: `[${offering.code}] Reminder: ${req.title} due ${at(shortDeadline, 'short-deadline', r.target_at, zone)}`,
      text,
      html,
      headers: { 'X-Cohort-Reminder': String(r.id) },
    };
  }
  if (r.kind === 'weekly_nudge') return renderNudge(r, data, baseUrl, common);
  const e = data.events.get(r.calendar_event_id!)!;
  const officeHours = r.kind === 'office_hours';
  const model = {
    ...common,
    title: e.title,
    whenLocal: formatSpan(e.starts_at, e.ends_at, zone),
    whenCourse: formatSpan(e.starts_at, e.ends_at, offering.time_zone),
    location: e.location ?? offering.location,
    videoUrl: e.video_url,
    weekLabel: e.week_label,
    edxCode: e.edx_code,
    lesson: e.unit_id ? { title: e.unit_title, url: `${baseUrl}/lessons/${e.unit_id}` } : null,
    calendarUrl: `${baseUrl}/calendar`,
  };
  const { text, html } = renderEmailFast(officeHours ? 'reminder-office-hours' : 'reminder-meeting', model);
  const when = at(shortDateTime, 'short-datetime', e.starts_at, zone);
  return {
    reminderId: r.id,
    userId: r.user_id,
    kind: officeHours ? 'reminder_office_hours' : 'reminder_meeting',
    to: user.email,
    subject: officeHours
      ? `[${offering.code}] ${e.title} ${when}`
      : `[${offering.code}] Required campus meeting ${when}${e.week_label ? ` · ${e.week_label}` : ''}`,
    text,
    html,
    // List-Unsubscribe (one click, src/mail/unsubscribe.ts) is added when the outbox sends it: kind and user are enough.
    headers: { 'X-Cohort-Reminder': String(r.id) },
  };
}

type Common = { name: string; course: string; courseCode: string; zone: string; settingsUrl: string };

/** "LeadEd502x Lesson 03 — Framing Innovation – Metaphor and Analogy" (the week's label when it names no numbered lesson). */
function lessonName(w: { edx_code: string | null; lesson_number: number | null; label: string; unit_title: string | null }): string {
  const lesson = w.lesson_number !== null ? `Lesson ${String(w.lesson_number).padStart(2, '0')}` : w.label;
  return [w.edx_code ? `${w.edx_code} ${lesson}` : lesson, w.unit_title].filter(Boolean).join(' — ');
}

/** A community learner's Monday email: this week's lesson, with links to its page and to This week. */
function renderNudge(r: Reminder, data: Loaded, baseUrl: string, common: Common): ReminderEmail {
  const w = data.weeks.get(r.course_week_id!)!;
  const lesson = lessonName(w);
  const model = {
    ...common,
    lesson,
    weekOf: formatLocalDate(w.starts_on),
    lessonUrl: `${baseUrl}/lessons/${w.unit_id}`,
    thisWeekUrl: `${baseUrl}/`,
    calendarUrl: `${baseUrl}/calendar`,
  };
  const { text, html } = renderEmailFast('weekly-nudge', model);
  return {
    reminderId: r.id,
    userId: r.user_id,
    kind: 'weekly_nudge',
    to: data.users.get(r.user_id)!.email,
    subject: `[${common.courseCode}] This week: ${lesson}`,
    text,
    html,
    // List-Unsubscribe (one click) is added when the outbox sends it, as for meeting reminders.
    headers: { 'X-Cohort-Reminder': String(r.id) },
  };
}

export async function renderReminderEmails(db: Db, reminders: Reminder[], opts: { baseUrl: string; now: Date }): Promise<RenderResult> {
  const result: RenderResult = { emails: [], failures: [] };
  if (reminders.length === 0) return result;
  const data = await loadBatch(db, reminders);
  const memo = memoizer();
  for (const r of reminders) {
    try {
      // Dates in the email are written in the recipient's language of dates (src/time.ts).
      result.emails.push(withDateLanguage(data.users.get(r.user_id)?.date_language, () => renderOne(r, data, opts.baseUrl, opts.now, memo)));
    } catch (err) {
      result.failures.push({ reminderId: r.id, error: `Could not render the reminder: ${(err as Error).message}` });
    }
  }
  return result;
}
