import type { Db } from '../db/database';
import type { EmailToSend } from './outbox';
import { anyOf } from '../db/any';

/**
 * The set-based form of enqueueEmail (src/mail/outbox.ts): one INSERT for a whole batch, same
 * columns and the same idempotency (a unique dedupe_key; a second enqueue of the same key
 * inserts nothing and returns the existing row). Reminders and announcements go out by the
 * thousand, where one INSERT per message would dominate the run. The outbox's own worker job
 * (deliverDueEmails) sends them after commit.
 *
 * `messageId` is stable per reminder (`<reminder-42@host>`), so a receiver can drop the rare
 * second copy a crash between SMTP's 250 and the outbox's "sent" mark can cause.
 */
export interface BatchEmail extends EmailToSend {
  dedupeKey: string;
  messageId: string;
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
          message_id: e.messageId,
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

/** A Message-ID on the app's own host name, stable for a given key. */
export function stableMessageId(key: string, baseUrl: string): string {
  const host = new URL(baseUrl).hostname || 'cohort-companion';
  return `<${key}@${host}>`;
}
