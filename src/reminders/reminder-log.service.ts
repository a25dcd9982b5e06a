import type { Selectable } from 'kysely';
import type { Db } from '../db/database';
import { NotFound } from '../errors';
import { outboxRepository } from '../mail/outbox.repository';
import { formatDateTime, formatTime, isValidZone } from '../time';
import { renderReminderEmails } from './messages';
import { reminderLogRepository as log } from './reminder-log.repository';
import type { ReminderKind, ReminderTable } from './reminders.tables';
import { courseCache } from '../course/course-cache';
import { REMINDER_STATUSES, type ReminderListQuery } from './reminders.schemas';

/** The instructor's reminder pages as view models, in the instructor's zone. */
export const PER_PAGE = 50;

const STATUS_LABELS: Record<string, string> = {
  scheduled: 'Scheduled',
  claimed: 'Being sent',
  queued: 'Queued',
  sent: 'Sent',
  failed: 'Failed',
  skipped: 'Skipped',
  cancelled: 'Cancelled',
};

/** Each kind as the page names it (the kind filter's options too). */
export const KIND_LABELS: Record<ReminderKind, string> = {
  portfolio_deadline: 'Portfolio deadline',
  campus_meeting: 'Campus meeting',
  office_hours: 'Virtual office hours',
  weekly_nudge: 'Weekly lesson nudge',
};

function offsetLabel(kind: string, days: number): string {
  if (kind === 'campus_meeting' || kind === 'office_hours') return 'Day before';
  if (kind === 'weekly_nudge') return "Monday 09:00, learner's time";
  return days === 0 ? 'On the due day' : `${days} day${days === 1 ? '' : 's'} before`;
}

type NoteRow = {
  status: string;
  reason: string;
  attempts: number | null;
  last_error: string | null;
  next_attempt_at: Date | null;
  retry_in_seconds: number | null;
};

/** A failed attempt waiting for its retry; the retry's time on the app clock (`now`, which APP_NOW pins), like every other time on the page. */
function retryNote(m: { attempts: number | null; last_error: string | null; retry_in_seconds: number | null }, zone: string, now: Date): string {
  const retryAt = new Date(now.getTime() + Math.max(0, Number(m.retry_in_seconds ?? 0)) * 1000);
  return `Delivery attempt ${m.attempts} failed (${m.last_error}); retrying ${formatDateTime(retryAt, zone)}.`;
}

function note(r: NoteRow, zone: string, now: Date): string {
  if (r.status === 'queued' && r.last_error && r.next_attempt_at) return retryNote(r, zone, now);
  if (r.status === 'failed') return r.last_error ?? r.reason;
  return r.reason;
}

export async function reminderLogPage(db: Db, offeringId: number, query: ReminderListQuery, zone: string, now: Date) {
  const [{ rows, hasNext }, counts, course] = await Promise.all([
    log.list(db, offeringId, query, PER_PAGE),
    log.countsByStatus(db, offeringId, query.kind),
    courseCache.current(db, offeringId),
  ]);
  const weeks = new Map(course.weeks.map((w) => [w.id, w]));
  const weekName = (id: number | null) => {
    const w = id === null ? undefined : weeks.get(id);
    return w ? `${w.edx_code ? `${w.edx_code} ` : ''}${w.label}${w.unit_title ? ` — ${w.unit_title}` : ''}` : '';
  };
  const countOf = new Map(counts.map((c) => [c.status, Number(c.n)]));
  const total = [...countOf.values()].reduce((a, b) => a + b, 0);
  const matching = query.status ? (countOf.get(query.status) ?? 0) : total;
  return {
    filters: query,
    statuses: REMINDER_STATUSES.map((s) => ({ value: s, label: STATUS_LABELS[s], count: countOf.get(s) ?? 0 })),
    total,
    matching,
    reminders: rows.map((r) => {
      const studentZone = isValidZone(r.time_zone) ? r.time_zone : zone;
      return {
        id: r.id,
        student: r.name,
        email: r.email,
        section: r.section ?? (r.role === 'community' ? 'Community' : ''),
        kind: KIND_LABELS[r.kind] ?? r.kind,
        target: r.requirement_title ?? r.event_title ?? weekName(r.course_week_id),
        offset: offsetLabel(r.kind, r.offset_days),
        sendAt: formatDateTime(r.send_at, zone),
        sendAtLocal: `${formatTime(r.send_at, studentZone)} ${studentZone}`,
        status: r.status,
        statusLabel: STATUS_LABELS[r.status] ?? r.status,
        note: note(r, zone, now),
        sentAt: r.sent_at ? formatDateTime(r.sent_at, zone) : '',
        previewUrl: `/instructor/reminders/${r.id}/preview`,
      };
    }),
    page: query.page,
    pages: Math.max(1, Math.ceil(matching / PER_PAGE)),
    hasNext,
  };
}

/**
 * The signed-in instructor's daily digest emails (src/digest/ queues them through the outbox), as
 * the outbox shows them: newest first, with status, sent time or the failure and the next retry.
 */
export const DIGEST_LOG_SIZE = 14;
const DELIVERY_LABELS: Record<string, string> = { pending: 'Queued', sending: 'Sending', sent: 'Sent', failed: 'Failed' };

export async function digestEmailLog(db: Db, instructorId: number, zone: string, now: Date) {
  const rows = await outboxRepository.recentOfKind(db, instructorId, 'digest', DIGEST_LOG_SIZE);
  return rows.map((m) => {
    return {
      subject: m.subject,
      status: m.status === 'sending' ? 'pending' : m.status,
      statusLabel: DELIVERY_LABELS[m.status] ?? m.status,
      sentAt: m.sent_at ? formatDateTime(m.sent_at, zone) : '',
      note: m.status === 'failed' ? (m.last_error ?? 'Failed.') : m.status === 'pending' && m.attempts > 0 ? retryNote(m, zone, now) : '',
    };
  });
}

/**
 * A reminder as the student sees it: the stored email once it was handed to the outbox (what
 * was, or will be, actually sent); before that, rendered now from the current state.
 */
export async function previewReminder(db: Db, offeringId: number, id: number, opts: { baseUrl: string; now: Date; zone: string }) {
  const row = await log.findForPreview(db, offeringId, id);
  if (!row) throw new NotFound('There is no such reminder in this course.');
  let email: { to: string; subject: string; text: string; html: string; headers: Record<string, string> };
  let source: string;
  if (row.outbound_email_id && row.subject !== null) {
    email = { to: row.to_address!, subject: row.subject, text: row.text_body!, html: row.html_body ?? '', headers: row.headers ?? {} };
    source = row.shown_status === 'sent' ? 'This is the email as it was sent.' : 'This is the email as it was handed to the mail queue.';
  } else {
    const reminder = row as unknown as Selectable<ReminderTable>;
    const { emails, failures } = await renderReminderEmails(db, [reminder], { baseUrl: opts.baseUrl, now: opts.now });
    if (!emails.length) throw new NotFound(failures[0]?.error ?? 'This reminder cannot be previewed.');
    email = emails[0];
    source = 'Not sent yet: this is how it would read if it were sent now.';
  }
  return {
    id: row.id,
    student: row.name,
    status: STATUS_LABELS[row.shown_status] ?? row.shown_status,
    reason: row.shown_status === 'failed' ? (row.last_error ?? row.reason) : row.reason,
    sendAt: formatDateTime(row.send_at, opts.zone),
    sentAt: row.email_sent_at ? formatDateTime(row.email_sent_at, opts.zone) : '',
    messageId: row.message_id ?? '',
    attempts: row.attempts ?? 0,
    source,
    email: { ...email, headers: Object.entries(email.headers) },
  };
}
