import { sql } from 'kysely';
import type { Db } from '../db/database';
import { outboxRepository } from '../mail/outbox.repository';
import type { ReminderListQuery } from './reminders.schemas';
import type { ReminderKind } from './reminders.tables';

/**
 * The instructor's view of the schedule: every reminder of an offering with its outcome.
 * A queued reminder shows the outbox's live outcome (sent / failed), so the page is right even
 * before the next worker run mirrors it onto the reminder row. The outbox is read through mail's
 * own subquery (outboxRepository.deliveries), joined by the reminder's outbox id.
 */
const shownStatus = sql<string>`case
  when r.status = 'queued' and m.status in ('sent', 'failed') then m.status
  else r.status end`;

function base(db: Db, offeringId: number) {
  return db
    .selectFrom('reminder as r')
    .leftJoin(outboxRepository.deliveries(db).as('m'), 'm.id', 'r.outbound_email_id')
    .where('r.offering_id', '=', offeringId);
}

async function list(db: Db, offeringId: number, query: ReminderListQuery, perPage: number) {
  let q = base(db, offeringId)
    .innerJoin('app_user as u', 'u.id', 'r.user_id')
    .leftJoin('section as s', 's.id', 'u.section_id')
    .leftJoin('portfolio_requirement as pr', 'pr.id', 'r.portfolio_requirement_id')
    .leftJoin('calendar_event as e', 'e.id', 'r.calendar_event_id')
    .select(['r.id', 'r.kind', 'r.offset_days', 'r.send_at', 'r.target_at', 'r.target_on', 'r.reason', 'r.queued_at', 'r.course_week_id'])
    .select(['u.name', 'u.email', 'u.time_zone', 'u.role', 's.code as section', 'pr.title as requirement_title', 'e.title as event_title'])
    .select(['m.attempts', 'm.last_error', 'm.next_attempt_at', 'm.sent_at', 'm.status as email_status', 'm.retry_in_seconds'])
    .select(shownStatus.as('status'));
  if (query.status) q = q.where(shownStatus, '=', query.status);
  if (query.kind) q = q.where('r.kind', '=', query.kind);
  const rows = await q
    .orderBy('r.send_at')
    .orderBy('r.id')
    .limit(perPage + 1)
    .offset((query.page - 1) * perPage)
    .execute();
  return { rows: rows.slice(0, perPage), hasNext: rows.length > perPage };
}

async function countsByStatus(db: Db, offeringId: number, kind: string | undefined) {
  let q = base(db, offeringId).select([shownStatus.as('status'), (eb) => eb.fn.countAll<number>().as('n')]);
  if (kind) q = q.where('r.kind', '=', kind as ReminderKind);
  return q.groupBy(shownStatus).execute();
}

async function findForPreview(db: Db, offeringId: number, id: number) {
  return base(db, offeringId)
    .innerJoin('app_user as u', 'u.id', 'r.user_id')
    .selectAll('r')
    .select(['u.name', 'u.email', 'u.time_zone'])
    .select([
      'm.to_address',
      'm.subject',
      'm.text_body',
      'm.html_body',
      'm.headers',
      'm.message_id',
      'm.attempts',
      'm.last_error',
      'm.sent_at as email_sent_at',
    ])
    .select(shownStatus.as('shown_status'))
    .where('r.id', '=', id)
    .executeTakeFirst();
}

export const reminderLogRepository = Object.freeze({ list, countsByStatus, findForPreview });
