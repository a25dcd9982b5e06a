import session from 'express-session';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database';

/**
 * express-session store in Postgres (table http_session), so sessions survive restarts and are
 * shared by every app instance. Works unchanged on PGlite and a PostgreSQL server.
 * Session expiry uses real time (not APP_NOW): it protects accounts, not course dates.
 */
export class PostgresSessionStore extends session.Store {
  private lastPrune = 0;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly ttlMs = 1000 * 60 * 60 * 24 * 14,
  ) {
    super();
  }

  private expiry(sess: session.SessionData): Date {
    const cookieExpiry = sess.cookie?.expires ? new Date(sess.cookie.expires) : null;
    return cookieExpiry && !Number.isNaN(cookieExpiry.getTime()) ? cookieExpiry : new Date(Date.now() + this.ttlMs);
  }

  override get(sid: string, cb: (err: unknown, session?: session.SessionData | null) => void): void {
    this.db
      .selectFrom('http_session')
      .select('sess')
      .where('sid', '=', sid)
      .where('expires_at', '>', sql<Date>`now()`)
      .executeTakeFirst()
      .then((row) => cb(null, (row?.sess as session.SessionData | undefined) ?? null), cb);
  }

  override set(sid: string, sess: session.SessionData, cb?: (err?: unknown) => void): void {
    const expires_at = this.expiry(sess);
    const value = JSON.stringify(sess);
    this.db
      .insertInto('http_session')
      .values({ sid, sess: value, expires_at })
      .onConflict((oc) => oc.column('sid').doUpdateSet({ sess: value, expires_at }))
      .execute()
      .then(() => this.pruneNowAndThen())
      .then(() => cb?.(), (err) => cb?.(err));
  }

  /**
   * express-session calls this after every request that did not change the session. With
   * `rolling: false` the browser's cookie keeps the expiry it was given when the session was last
   * saved, and `set` stored that same expiry in the row, so moving the row's expiry here would buy
   * nothing: it was a committed write (and a WAL flush) on every page view. Saving a changed
   * session (log in, a flash message) still sets both.
   */
  override touch(_sid: string, _sess: session.SessionData, cb?: (err?: unknown) => void): void {
    cb?.();
  }

  override destroy(sid: string, cb?: (err?: unknown) => void): void {
    this.db
      .deleteFrom('http_session')
      .where('sid', '=', sid)
      .execute()
      .then(() => cb?.(), (err) => cb?.(err));
  }

  private async pruneNowAndThen(): Promise<void> {
    if (Date.now() - this.lastPrune < 15 * 60_000) return;
    this.lastPrune = Date.now();
    await this.db.deleteFrom('http_session').where('expires_at', '<=', sql<Date>`now()`).execute();
  }
}
