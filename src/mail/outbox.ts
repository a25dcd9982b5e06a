import crypto from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/database';
import type { MailSender } from './transport';

/**
 * The transactional outbox. A user action writes its email here inside its own transaction;
 * the worker sends it after commit. `dedupeKey` makes enqueueing idempotent.
 * Retry timing uses the database's real clock (not APP_NOW): it is plumbing, not course time.
 */
export interface EmailToSend {
  kind: string;
  userId: number | null;
  to: string;
  subject: string;
  text: string;
  html?: string | null;
  headers?: Record<string, string>;
  dedupeKey?: string | null;
}

export async function enqueueEmail(db: Db, email: EmailToSend): Promise<number | null> {
  const row = await db
    .insertInto('outbound_email')
    .values({
      kind: email.kind,
      user_id: email.userId,
      to_address: email.to,
      subject: email.subject,
      text_body: email.text,
      html_body: email.html ?? null,
      headers: JSON.stringify(email.headers ?? {}) as unknown as Record<string, string>,
      dedupe_key: email.dedupeKey ?? null,
      message_id: `<${crypto.randomUUID()}@cohort-companion>`,
    })
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id ?? null;
}

export interface DeliveryOptions {
  from: string;
  replyTo?: string;
  batchSize?: number;
  /** How long a claimed message stays ours before another worker may take it over. */
  leaseSeconds?: number;
  retryBaseSeconds?: number;
  maxAttempts?: number;
  /**
   * The app clock's time (APP_NOW pins it): every message's Date header and its sent_at, what the
   * instructor sees. Leases and retry times stay on the database's own clock: they are about this
   * process, not the course (pages show a retry as the app clock's now plus the wait left).
   */
  now: Date;
}

export interface DeliveryReport {
  sent: number;
  retried: number;
  failed: number;
}

function isPermanent(err: unknown): boolean {
  const code = (err as { responseCode?: number }).responseCode;
  return typeof code === 'number' && code >= 500;
}

/**
 * Claims due messages (FOR UPDATE SKIP LOCKED, so several workers never take the same one),
 * sends each, and records the outcome. 4xx and connection errors are retried with exponential
 * backoff; 5xx replies are permanent failures, kept and shown to the instructor.
 */
export async function deliverDueEmails(db: Db, sender: MailSender, opts: DeliveryOptions): Promise<DeliveryReport> {
  const batch = opts.batchSize ?? 50;
  const lease = opts.leaseSeconds ?? 120;
  const base = opts.retryBaseSeconds ?? 30;
  const maxAttempts = opts.maxAttempts ?? 8;
  const claimed = await db
    .updateTable('outbound_email')
    .set((eb) => ({
      status: 'sending',
      attempts: eb('attempts', '+', 1),
      locked_until: sql<Date>`now() + make_interval(secs => ${lease})`,
    }))
    .where(
      'id',
      'in',
      db
        .selectFrom('outbound_email')
        .select('id')
        .where((eb) =>
          eb.or([
            eb.and([eb('status', '=', 'pending'), eb('next_attempt_at', '<=', sql<Date>`now()`)]),
            eb.and([eb('status', '=', 'sending'), eb('locked_until', '<=', sql<Date>`now()`)]),
          ]),
        )
        .orderBy('next_attempt_at')
        .orderBy('id')
        .limit(batch)
        .forUpdate()
        .skipLocked(),
    )
    .returningAll()
    .execute();

  const report: DeliveryReport = { sent: 0, retried: 0, failed: 0 };
  for (const m of claimed) {
    try {
      await sender.send({
        from: opts.from,
        replyTo: opts.replyTo,
        to: m.to_address,
        subject: m.subject,
        text: m.text_body,
        html: m.html_body,
        messageId: m.message_id,
        headers: m.headers,
        date: opts.now,
      });
      await db
        .updateTable('outbound_email')
        .set({ status: 'sent', sent_at: opts.now, locked_until: null, last_error: null })
        .where('id', '=', m.id)
        .execute();
      report.sent += 1;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const give_up = isPermanent(err) || m.attempts >= maxAttempts;
      const delay = base * 2 ** Math.min(m.attempts - 1, 10);
      await db
        .updateTable('outbound_email')
        .set({
          status: give_up ? 'failed' : 'pending',
          last_error: message.slice(0, 1000),
          locked_until: null,
          next_attempt_at: sql<Date>`now() + make_interval(secs => ${delay})`,
        })
        .where('id', '=', m.id)
        .execute();
      if (give_up) report.failed += 1;
      else report.retried += 1;
    }
  }
  return report;
}
