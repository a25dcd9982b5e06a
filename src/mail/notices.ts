import type { Expression } from 'kysely';
import type { Db } from '../db/database';
import { enqueueEmail } from './outbox';

/**
 * A notice: one message to one person about something that happened to their own work (their
 * portfolio submission was recorded, an extension was decided, feedback is ready, a peer
 * assessment about them was submitted). It is kept in their inbox (/inbox) and sent by email,
 * both written in the transaction of the action itself, so a rolled-back action tells nobody and
 * a committed one tells them once (`dedupeKey`: the same event notifies once, however often the
 * caller runs). The email goes through the outbox: retried, exactly once, on the reminders page.
 */
export interface Notice {
  kind: string;
  user: { id: number; email: string };
  /** The inbox line (no course prefix). */
  title: string;
  /** A short plain-text summary for the inbox. */
  summary: string;
  /** Where to read or act: a path of this app. */
  url: string;
  email: { subject: string; text: string; html: string | null };
  dedupeKey: string;
  now: Date;
  baseUrl: string;
}

/** Writes the inbox entry and queues its email; returns false when this event was already noticed. */
export async function notify(db: Db, n: Notice): Promise<boolean> {
  const saved = await db
    .insertInto('notice')
    .values({ user_id: n.user.id, kind: n.kind, subject: n.title, body: n.summary, url: n.url, created_at: n.now, dedupe_key: n.dedupeKey })
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!saved) return false;
  await enqueueEmail(db, {
    kind: n.kind,
    userId: n.user.id,
    to: n.user.email,
    subject: n.email.subject,
    text: n.email.text,
    html: n.email.html,
    dedupeKey: n.dedupeKey,
    baseUrl: n.baseUrl,
  });
  return true;
}

export interface NoticeRow {
  id: number;
  kind: string;
  title: string;
  summary: string;
  url: string;
  createdAt: Date;
  readAt: Date | null;
}

const columns = ['id', 'kind', 'subject', 'body', 'url', 'created_at', 'read_at'] as const;
const toRow = (r: { id: number; kind: string; subject: string; body: string; url: string; created_at: Date; read_at: Date | null }): NoticeRow => ({
  id: r.id,
  kind: r.kind,
  title: r.subject,
  summary: r.body,
  url: r.url,
  createdAt: r.created_at,
  readAt: r.read_at,
});

/** A person's notices, newest first (at most `limit`). */
async function listFor(db: Db, userId: number, limit: number): Promise<NoticeRow[]> {
  const rows = await db
    .selectFrom('notice')
    .select(columns)
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map(toRow);
}

/** One of the person's own notices (undefined for anyone else's). */
async function oneFor(db: Db, userId: number, id: number): Promise<NoticeRow | undefined> {
  const r = await db.selectFrom('notice').select(columns).where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
  return r && toRow(r);
}

/** How many of a person's notices are unread, as a subquery another statement selects (the menu's count, read with the session). */
function unreadCountQuery(db: Db, userId: Expression<number>) {
  return db
    .selectFrom('notice')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('user_id', '=', userId)
    .where('read_at', 'is', null);
}

/** Marks one of the person's notices read (once: a second open keeps the first time). */
async function markRead(db: Db, userId: number, id: number, now: Date): Promise<void> {
  await db.updateTable('notice').set({ read_at: now }).where('id', '=', id).where('user_id', '=', userId).where('read_at', 'is', null).execute();
}

async function markAllRead(db: Db, userId: number, now: Date): Promise<number> {
  const r = await db.updateTable('notice').set({ read_at: now }).where('user_id', '=', userId).where('read_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export const noticesRepository = Object.freeze({ listFor, oneFor, unreadCountQuery, markRead, markAllRead });
