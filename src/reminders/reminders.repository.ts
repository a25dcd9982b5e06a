import { sql, type Selectable } from 'kysely';
import type { Db } from '../db/database';
import { outboxRepository } from '../mail/outbox.repository';
import { EVENT_STARTED_REASONS, NUDGE_TOO_LATE, SUPERSEDED } from './planner.sql';
import type { ReminderTable } from './reminders.tables';
import { anyOf } from '../db/any';

/**
 * Queries for the reminder schedule's sender side: claims under a lease (FOR UPDATE SKIP LOCKED),
 * skips, hand-off to the outbox, and mirroring the outbox's outcome back onto the reminder.
 * Leases use the database clock (plumbing time, like the outbox), never APP_NOW.
 */
export type Reminder = Selectable<ReminderTable>;

/** Claims up to `limit` due reminders (or ones whose previous claim's lease ran out). */
async function claimDue(db: Db, now: Date, token: string, limit: number, leaseSeconds: number): Promise<Reminder[]> {
  return db
    .updateTable('reminder')
    .set({
      status: 'claimed',
      claim_token: token,
      claimed_until: sql<Date>`now() + make_interval(secs => ${leaseSeconds})`,
      updated_at: sql<Date>`now()`,
    })
    .where(
      'id',
      'in',
      db
        .selectFrom('reminder')
        .select('id')
        .where((eb) =>
          eb.or([
            eb.and([eb('status', '=', 'scheduled'), eb('send_at', '<=', now)]),
            eb.and([eb('status', '=', 'claimed'), eb('claimed_until', '<=', sql<Date>`now()`)]),
          ]),
        )
        .orderBy('send_at')
        .orderBy('id')
        .limit(limit)
        .forUpdate()
        .skipLocked(),
    )
    .returningAll()
    .execute();
}

/**
 * A due reminder that must not go out: its deadline, meeting or (weekly nudge) week has passed, or a later reminder
 * for the same deadline is also due (a student added late, or a worker that was down, gets the
 * latest reminder, not a burst of stale ones). `r` is the reminder's alias in the statement.
 */
function unsendable(r: string, now: Date) {
  const col = (c: string) => sql.ref(`${r}.${c}`);
  return sql<boolean>`(${col('target_at')} <= ${now} or (${col('kind')} = 'portfolio_deadline' and exists (
    select 1 from reminder s
    where s.kind = 'portfolio_deadline' and s.user_id = ${col('user_id')} and s.portfolio_requirement_id = ${col('portfolio_requirement_id')}
      and s.target_on = ${col('target_on')} and s.offset_days < ${col('offset_days')} and s.send_at <= ${now} and s.status <> 'cancelled')))`;
}

function skipReason(now: Date) {
  return sql<string>`case
    when r.target_at <= ${now} and r.kind = 'campus_meeting' then ${EVENT_STARTED_REASONS.campus_meeting}
    when r.target_at <= ${now} and r.kind = 'office_hours' then ${EVENT_STARTED_REASONS.office_hours}
    when r.target_at <= ${now} and r.kind = 'weekly_nudge' then ${NUDGE_TOO_LATE}
    when r.target_at <= ${now} then 'The deadline passed before this reminder was sent.'
    else ${SUPERSEDED} end`;
}

/** Of the reminders this claim holds, skips the unsendable ones. */
async function skipUnsendable(db: Db, token: string, now: Date): Promise<number[]> {
  const rows = await sql<{ id: number }>`
    update reminder r set status = 'skipped', reason = ${skipReason(now)}, claim_token = null, claimed_until = null, updated_at = now()
    where r.claim_token = ${token} and r.status = 'claimed' and ${unsendable('r', now)}
    returning r.id`.execute(db);
  return rows.rows.map((r) => r.id);
}

/**
 * Skips every due, unclaimed, unsendable reminder in one statement before claiming (after a
 * long outage, or planned late, most due reminders are superseded: no need to claim them one
 * batch at a time). Rows another worker holds are left to it (SKIP LOCKED, so no waiting).
 */
async function skipDueUnsendable(db: Db, now: Date): Promise<number> {
  const result = await sql`
    update reminder r set status = 'skipped', reason = ${skipReason(now)}, updated_at = now()
    where r.id in (
      select d.id from reminder d
      where d.status = 'scheduled' and d.send_at <= ${now} and ${unsendable('d', now)}
      for update skip locked
    )`.execute(db);
  return Number(result.numAffectedRows ?? 0n);
}

/** The reminders this claim still holds, locked for the hand-off (a lost lease returns none). */
async function lockStillClaimed(db: Db, token: string, ids: number[]): Promise<number[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('reminder')
    .select('id')
    .where('claim_token', '=', token)
    .where('status', '=', 'claimed')
    .where('id', '=', anyOf(ids))
    .forUpdate()
    .execute();
  return rows.map((r) => r.id);
}

async function markQueued(db: Db, token: string, handoffs: { reminderId: number; emailId: number }[], now: Date): Promise<void> {
  if (handoffs.length === 0) return;
  await sql`
    update reminder r set status = 'queued', outbound_email_id = v.email_id, queued_at = ${now},
      claim_token = null, claimed_until = null, reason = '', updated_at = now()
    from unnest(${handoffs.map((h) => h.reminderId)}::bigint[], ${handoffs.map((h) => h.emailId)}::bigint[]) as v(reminder_id, email_id)
    where r.id = v.reminder_id and r.claim_token = ${token}`.execute(db);
}

/** A reminder that could not be rendered (a bug or broken data): recorded, never silently lost. */
async function markFailedUnsent(db: Db, token: string, reminderId: number, reason: string): Promise<void> {
  await db
    .updateTable('reminder')
    .set({ status: 'failed', reason: reason.slice(0, 1000), claim_token: null, claimed_until: null, updated_at: sql<Date>`now()` })
    .where('id', '=', reminderId)
    .where('claim_token', '=', token)
    .execute();
}

/** Mirrors the outbox's outcome (sent, or failed with the SMTP reply) onto queued reminders. */
async function syncDeliveryOutcomes(db: Db): Promise<number> {
  const result = await sql`
    update reminder r set status = e.status, sent_at = e.sent_at,
      reason = case when e.status = 'failed' then coalesce(e.last_error, 'Delivery failed.') else '' end, updated_at = now()
    from ${outboxRepository.deliveries(db)} e
    where r.status = 'queued' and e.id = r.outbound_email_id and e.status in ('sent', 'failed')`.execute(db);
  return Number(result.numAffectedRows ?? 0n);
}

/** The next send instants still scheduled after `now`, with how many reminders each (for operators). */
async function upcoming(db: Db, now: Date, limit: number) {
  return db
    .selectFrom('reminder')
    .select(['send_at', 'kind', (eb) => eb.fn.countAll<number>().as('n')])
    .where('status', '=', 'scheduled')
    .where('send_at', '>', now)
    .groupBy(['send_at', 'kind'])
    .orderBy('send_at')
    .orderBy('kind')
    .limit(limit)
    .execute();
}

export const remindersRepository = Object.freeze({
  upcoming,
  claimDue,
  skipUnsendable,
  skipDueUnsendable,
  lockStillClaimed,
  markQueued,
  markFailedUnsent,
  syncDeliveryOutcomes,
});
