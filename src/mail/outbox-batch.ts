import { sql, type SelectQueryBuilder } from 'kysely';
import type { Database, Db } from '../db/database';
import type { EmailToSend } from './outbox';
import { anyOf } from '../db/any';
import { messageIdFor, messageIdSql } from './message-id';

/**
 * The set-based form of enqueueEmail (src/mail/outbox.ts): one INSERT for a whole batch, same
 * columns and the same idempotency (a unique dedupe_key; a second enqueue of the same key
 * inserts nothing and returns the existing row). Reminders and announcements go out by the
 * thousand, where one INSERT per message would dominate the run. The outbox's own worker job
 * (deliverDueEmails) sends them after commit.
 *
 * Each row gets its Message-ID here (src/mail/message-id.ts): random, stored, the same on every
 * retry of that row.
 */
export interface BatchEmail extends EmailToSend {
  dedupeKey: string;
}

const CHUNK = 1000;

export async function enqueueEmails(db: Db, emails: BatchEmail[]): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  for (let i = 0; i < emails.length; i += CHUNK) {
    const chunk = emails.slice(i, i + CHUNK);
    const inserted = await db
      .insertInto('outbound_email')
      .values(
        chunk.map((e) => ({
          kind: e.kind,
          user_id: e.userId,
          to_address: e.to,
          subject: e.subject,
          text_body: e.text,
          html_body: e.html ?? null,
          headers: JSON.stringify(e.headers ?? {}) as unknown as Record<string, string>,
          dedupe_key: e.dedupeKey,
          message_id: messageIdFor(e.kind, e.baseUrl),
        })),
      )
      .onConflict((oc) => oc.doNothing())
      .returning(['id', 'dedupe_key'])
      .execute();
    for (const r of inserted) ids.set(r.dedupe_key!, r.id);
    const missing = chunk.map((e) => e.dedupeKey).filter((k) => !ids.has(k));
    if (missing.length) {
      const existing = await db.selectFrom('outbound_email').select(['id', 'dedupe_key']).where('dedupe_key', '=', anyOf(missing)).execute();
      for (const r of existing) ids.set(r.dedupe_key!, r.id);
    }
  }
  return ids;
}

/** One email to every user a query selects (an announcement's audience): the same text for each. */
export interface RecipientsEmail {
  kind: string;
  /** The recipients: app_user rows, filtered by the caller; mail reads their id and email. */
  recipients: SelectQueryBuilder<Database, 'app_user', object>;
  subject: string;
  text: string;
  html: string | null;
  /**
   * What makes it one message per recipient: dedupe key `kind:key:userId` (each row gets its own
   * random Message-ID, kept for every retry).
   */
  stableKey: { kind: string; key: string | number };
  baseUrl: string;
}

/**
 * The set-based enqueue for a whole audience: one INSERT … SELECT however many recipients
 * (thousands for a course-wide announcement), with enqueueEmails' dedupe rule (a second enqueue
 * of the same key inserts nothing). Returns how many rows were inserted.
 */
export async function enqueueForRecipients(db: Db, email: RecipientsEmail): Promise<number> {
  const { kind, key } = email.stableKey;
  const result = await db
    .insertInto('outbound_email')
    .columns(['kind', 'user_id', 'to_address', 'subject', 'text_body', 'html_body', 'headers', 'dedupe_key', 'message_id'])
    .expression(
      email.recipients.select((eb) => [
        eb.val(email.kind).as('kind'),
        'id',
        'email',
        eb.val(email.subject).as('subject'),
        eb.val(email.text).as('text_body'),
        eb.val(email.html).as('html_body'),
        sql<string>`'{}'::jsonb`.as('headers'),
        sql<string>`${`${kind}:${key}:`} || id`.as('dedupe_key'),
        messageIdSql(email.kind, email.baseUrl).as('message_id'),
      ]),
    )
    .onConflict((oc) => oc.doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n);
}
