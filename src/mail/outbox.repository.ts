import { sql } from 'kysely';
import type { Db } from '../db/database';
import { anyOf } from '../db/any';

/**
 * What other features may read from the outbox (src/mail/ owns outbound_email and every statement
 * on it). `deliveries` is a subquery a feature joins by outbox id, so a page of thousands of rows
 * stays one statement; its columns are the outbox's public face.
 */
function deliveries(db: Db) {
  return (
    db
      .selectFrom('outbound_email')
      .select(['id', 'status', 'attempts', 'last_error', 'next_attempt_at', 'sent_at'])
      .select(['to_address', 'subject', 'text_body', 'html_body', 'headers', 'message_id'])
      // Retries are timed on the database's clock; pages show them on the app clock as "now + the wait left".
      .select(sql<number | null>`extract(epoch from (next_attempt_at - now()))::float8`.as('retry_in_seconds'))
  );
}

/** Per user, how many emails of the kinds matching `kindLike` were sent, and when the last one was. */
async function sentCountsByUser(db: Db, userIds: number[], kindLike: string) {
  if (userIds.length === 0) return [];
  return db
    .selectFrom('outbound_email')
    .select(['user_id', (eb) => eb.fn.countAll<number>().as('n'), (eb) => eb.fn.max('sent_at').as('last_sent_at')])
    .where('user_id', '=', anyOf(userIds))
    .where('status', '=', 'sent')
    .where('kind', 'like', kindLike)
    .groupBy('user_id')
    .execute();
}

/** One user's latest emails of one kind (e.g. the instructor's daily digests), newest first, as `deliveries` shows them. */
async function recentOfKind(db: Db, userId: number, kind: string, limit: number) {
  return deliveries(db).where('user_id', '=', userId).where('kind', '=', kind).orderBy('id', 'desc').limit(limit).execute();
}

export const outboxRepository = Object.freeze({ deliveries, sentCountsByUser, recentOfKind });
