import crypto from 'node:crypto';
import { sql, type ExpressionBuilder, type UpdateObject } from 'kysely';
import { retryOnConnectionLoss } from '../db/connection-errors';
import type { Database, Db } from '../db/database';
import { inTransaction } from '../db/transaction';
import { messageIdFor } from './message-id';
import type { MailSender } from './transport';
import { listHeadersFor, type ListHeaderOptions } from './unsubscribe';
import { notSentReason, undeliverableRepository } from './undeliverable.repository';

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
  /** The app's BASE_URL: its host names the Message-ID (src/mail/message-id.ts). */
  baseUrl?: string;
}

export async function enqueueEmail(db: Db, email: EmailToSend): Promise<number | null> {
  // An address marked undeliverable gets no more mail: the row is kept, failed, saying why.
  const mark = await undeliverableRepository.markOf(db, email.to);
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
      message_id: messageIdFor(email.kind, email.baseUrl),
      ...(mark ? { status: 'failed' as const, last_error: notSentReason(mark) } : {}),
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
  /** How long a claimed message waits for its turn in this run before another worker may take it over. */
  leaseSeconds?: number;
  /**
   * Just before a message is sent its lease is renewed for this long: longer than one SMTP
   * exchange can take (src/mail/transport.ts bounds it), so nobody takes over a message mid-send.
   */
  sendLeaseSeconds?: number;
  retryBaseSeconds?: number;
  maxAttempts?: number;
  /**
   * The app clock's time (APP_NOW pins it): every message's Date header and its sent_at, what the
   * instructor sees. Leases and retry times stay on the database's own clock: they are about this
   * process, not the course (pages show a retry as the app clock's now plus the wait left).
   */
  now: Date;
  /** Asked to stop (SIGTERM): finish the message being sent, hand the rest of the batch back. */
  signal?: AbortSignal;
  /** List-Id, List-Unsubscribe and List-Unsubscribe-Post, from each row's kind and user (src/mail/unsubscribe.ts). */
  lists?: ListHeaderOptions;
}

export interface DeliveryReport {
  sent: number;
  retried: number;
  failed: number;
  /** Claimed, then taken over by another worker after this run's lease ran out: left to that worker. */
  lostClaims: number;
  /** Handed back unsent because the run was asked to stop (or its job failed). */
  released: number;
}

function isPermanent(err: unknown): boolean {
  const code = (err as { responseCode?: number }).responseCode;
  return typeof code === 'number' && code >= 500;
}

/**
 * A permanent failure that is about the recipient, not the message: the server refused the
 * recipient (RCPT TO, nodemailer's EENVELOPE) or answered 550/551/553 (mailbox unavailable,
 * not local, name not allowed). Such an address is marked undeliverable.
 */
function isRecipientRefused(err: unknown): boolean {
  const e = err as { responseCode?: number; code?: string };
  if (!isPermanent(err)) return false;
  return e.code === 'EENVELOPE' || e.responseCode === 550 || e.responseCode === 551 || e.responseCode === 553;
}

/**
 * Claims due messages under this run's own claim token (FOR UPDATE SKIP LOCKED, so several
 * workers never take the same one), sends each, and records the outcome. Before each send the
 * message's lease is renewed, and only while the claim is still this run's: a message whose lease
 * ran out while earlier ones were slow to send belongs to whoever took it over, and is skipped.
 * Outcomes are recorded only under this run's token. 4xx and connection errors are retried with
 * exponential backoff; 5xx replies are permanent failures, kept and shown to the instructor.
 * The one window left: SMTP accepted a message and the process died before recording it; it is
 * sent again after the lease, with the same Message-ID.
 */
export async function deliverDueEmails(db: Db, sender: MailSender, opts: DeliveryOptions): Promise<DeliveryReport> {
  const batch = opts.batchSize ?? 50;
  const lease = opts.leaseSeconds ?? 120;
  const sendLease = opts.sendLeaseSeconds ?? 300;
  const base = opts.retryBaseSeconds ?? 30;
  const maxAttempts = opts.maxAttempts ?? 8;
  const report: DeliveryReport = { sent: 0, retried: 0, failed: 0, lostClaims: 0, released: 0 };
  if (opts.signal?.aborted) return report;
  const token = crypto.randomUUID();
  const claimed = await claimDue(db, token, batch, lease);
  const ours = (id: number) => (eb: ExpressionBuilder<Database, 'outbound_email'>) => eb.and([eb('id', '=', id), eb('claim_token', '=', token)]);
  let untried = 0; // claimed[untried…] have not been handed to SMTP by this run
  try {
    for (let i = 0; i < claimed.length && !opts.signal?.aborted; i++) {
      untried = i;
      const m = claimed[i];
      // Queued before its address was marked undeliverable: failed with the reason, no SMTP attempt counted.
      const mark = await undeliverableRepository.markOf(db, m.to_address);
      if (mark) {
        const skipped = await retryOnConnectionLoss(() =>
          db
            .updateTable('outbound_email')
            .set({ status: 'failed', last_error: notSentReason(mark), locked_until: null, claim_token: null })
            .where(ours(m.id))
            .where('status', '=', 'sending')
            .executeTakeFirst(),
        );
        untried = i + 1;
        if (Number(skipped.numUpdatedRows) === 0) report.lostClaims += 1;
        else report.failed += 1;
        continue;
      }
      // Still ours? Renew for the send and count the attempt; if another worker took it over, it is theirs.
      const turn = await db
        .updateTable('outbound_email')
        .set((eb) => ({ attempts: eb('attempts', '+', 1), locked_until: sql<Date>`now() + make_interval(secs => ${sendLease})` }))
        .where(ours(m.id))
        .where('status', '=', 'sending')
        .returning('attempts')
        .executeTakeFirst();
      if (!turn) {
        report.lostClaims += 1;
        continue;
      }
      untried = i + 1;
      let outcome: { status: 'sent' } | { status: 'pending' | 'failed'; error: string; delay: number; undeliverable?: boolean };
      try {
        await sender.send({
          from: opts.from,
          replyTo: opts.replyTo,
          to: m.to_address,
          subject: m.subject,
          text: m.text_body,
          html: m.html_body,
          messageId: m.message_id,
          headers: opts.lists ? { ...m.headers, ...(await listHeadersFor(m, opts.lists)) } : m.headers,
          date: opts.now,
        });
        outcome = { status: 'sent' };
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        const giveUp = isPermanent(err) || turn.attempts >= maxAttempts;
        outcome = {
          status: giveUp ? 'failed' : 'pending',
          error: message.slice(0, 1000),
          delay: base * 2 ** Math.min(turn.attempts - 1, 10),
          undeliverable: isRecipientRefused(err),
        };
      }
      const record: UpdateObject<Database, 'outbound_email'> =
        outcome.status === 'sent'
          ? { status: 'sent', sent_at: opts.now, locked_until: null, claim_token: null, last_error: null }
          : {
              status: outcome.status,
              last_error: outcome.error,
              locked_until: null,
              claim_token: null,
              next_attempt_at: sql<Date>`now() + make_interval(secs => ${outcome.delay})`,
            };
      // SMTP has answered: a dropped connection must not lose that (the email would go out again).
      // A refused recipient is marked undeliverable in the same transaction as the failed outcome,
      // and only while the message is still ours (a run that lost its claim records nothing).
      const recorded = await retryOnConnectionLoss(() =>
        inTransaction(db, async (trx) => {
          const r = await trx.updateTable('outbound_email').set(record).where(ours(m.id)).executeTakeFirst();
          if (Number(r.numUpdatedRows) > 0 && outcome.status === 'failed' && outcome.undeliverable)
            await undeliverableRepository.mark(trx, m.to_address, outcome.error, opts.now, m.id);
          return r;
        }),
      );
      if (Number(recorded.numUpdatedRows) === 0)
        report.lostClaims += 1; // taken over mid-send: its new owner records it
      else if (outcome.status === 'sent') report.sent += 1;
      else if (outcome.status === 'failed') report.failed += 1;
      else report.retried += 1;
    }
  } finally {
    // Asked to stop, or the job failed: hand back what this run claimed and did not try, due at once.
    report.released += await handBack(
      db,
      token,
      claimed.slice(untried).map((m) => m.id),
    );
  }
  return report;
}

/** Due messages (pending and due, or sending with a lease run out), claimed under `token`, oldest first. */
async function claimDue(db: Db, token: string, batch: number, lease: number) {
  const claimed = await db
    .updateTable('outbound_email')
    .set({ status: 'sending', claim_token: token, locked_until: sql<Date>`now() + make_interval(secs => ${lease})` })
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
  return claimed.sort((a, b) => a.next_attempt_at.getTime() - b.next_attempt_at.getTime() || a.id - b.id);
}

/** Claimed under `token` and not tried: back to pending, unclaimed, due at once. Returns how many. */
async function handBack(db: Db, token: string, ids: number[]): Promise<number> {
  if (ids.length === 0) return 0;
  const released = await retryOnConnectionLoss(
    () =>
      db
        .updateTable('outbound_email')
        .set({ status: 'pending', locked_until: null, claim_token: null })
        .where('id', 'in', ids)
        .where('claim_token', '=', token)
        .where('status', '=', 'sending')
        .executeTakeFirst(),
    3,
  ).catch(() => null); // the database stays away: the lease runs out instead
  return Number(released?.numUpdatedRows ?? 0);
}
