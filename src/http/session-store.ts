import type { Request, RequestHandler } from 'express';
import session from 'express-session';
import { sql, type Expression, type Kysely } from 'kysely';
import { LRUCache } from 'lru-cache';
import type { Database, Db } from '../db/database';
import { knownVersions } from '../db/known-versions';

/**
 * What the session read brings besides the session, so a signed-in page view spends one query
 * where it spent three: the signed-in user (active accounts only; passport's deserializeUser takes
 * it, src/http/auth.ts) and the course data version (src/db/known-versions.ts).
 */
export interface SessionPreload {
  user: Express.User | null;
  courseVersion: number | null;
  /** Unread counts beside menu entries, by the entry's path (see PreloadCounts). */
  navCounts: Record<string, number>;
}

/** The signed-in user's row in the session read, for a count correlated with it. */
export interface PreloadUser {
  id: Expression<number>;
  role: Expression<string>;
  offeringId: Expression<number>;
  sectionId: Expression<number | null>;
}

/**
 * Counts read with the session in the same statement (the inbox's unread count): by menu path,
 * an expression over the user's row built by the feature that owns the tables. Added by the app
 * (src/app.ts), so http/ names no feature's table.
 */
export type PreloadCounts = Record<string, (db: Db, user: PreloadUser) => Expression<number>>;

const PRELOAD = Symbol('session preload');

export function sessionPreload(req: Request): SessionPreload | undefined {
  return (req as unknown as { [PRELOAD]?: SessionPreload })[PRELOAD];
}

/**
 * Ends every session of a user: their next request in any browser is signed out. Called when the
 * account's keys change hands or lapse: dropped from the roster, a password set or reset, an email
 * address changed. (A session of the person doing it that must stay is re-created after, e.g. by
 * passport's login, which starts a fresh session id.)
 */
export async function endSessionsOf(db: Db, userId: number): Promise<number> {
  for (const hold of holds) hold.forgetUser(userId);
  const r = await db
    .deleteFrom('http_session')
    .where(sql<string>`sess #>> '{passport,user}'`, '=', String(userId))
    .executeTakeFirst();
  // again once deleted: a page view that read the row meanwhile is not kept either (inside a transaction, until its commit the bound applies)
  for (const hold of holds) hold.forgetUser(userId);
  return Number(r.numDeletedRows);
}

/** What a page view took from the session read, kept for the next page views of the same session. */
interface Held {
  /** The session as read (JSON): each request gets its own copy, and a save from it is made only if the row still says this. */
  json: string;
  preload: SessionPreload;
}

/**
 * The session hold (issue 19): the session read of a page view (GET or HEAD) — the session, its
 * signed-in user, the course data version, the menu's counts — is kept by this instance for a
 * short bound (SESSION_HOLD_MS, 2 s by default; 0 turns it off) and serves the same session's next
 * page views without a query. Correctness with several instances is by that bound: a change made
 * anywhere — a sign-out, a drop, a deactivation, a password or email change (which end every
 * session of the account), a new course version, a new unread item — reaches every instance's
 * page views within it, because nothing is held longer. On the instance that makes the change it
 * applies at once: a form post (any method but GET/HEAD) always reads the session afresh and
 * drops what was held for it; saving or ending a session drops it; `endSessionsOf` drops every
 * held session of the account. A page view that changes a held session (a flash message shown)
 * saves it only if the row still holds what was read: a session ended or changed elsewhere in the
 * meantime is never written back (a sign-out is never undone by a stale copy).
 */
class SessionHold {
  private readonly held: LRUCache<string, Held>;
  /**
   * Moves on every forget: a read that was in flight when something was forgotten (a page view
   * racing a form post of the same session in another tab) is not kept, so it cannot put back
   * what the post just made stale.
   */
  private generation = 0;

  constructor(readonly ms: number) {
    this.held = new LRUCache<string, Held>({ max: 10_000, ttl: Math.max(1, ms) });
  }

  get(sid: string): Held | undefined {
    return this.ms > 0 ? this.held.get(sid) : undefined;
  }

  /** The generation to pass to `keep` for a read starting now. */
  now(): number {
    return this.generation;
  }

  keep(sid: string, h: Held, readSince: number): void {
    if (this.ms > 0 && readSince === this.generation) this.held.set(sid, h);
  }

  forget(sid: string): void {
    this.generation++;
    this.held.delete(sid);
  }

  forgetUser(userId: number): void {
    this.generation++;
    for (const [sid, h] of this.held.entries()) if (h.preload.user?.id === userId) this.held.delete(sid);
  }
}

/** Every store's hold in this process (one per app: created once at start), so `endSessionsOf` drops an account's held sessions at once here (other instances: within the bound). */
const holds = new Set<SessionHold>();
const HELD_READ = Symbol('session held read');

/** Drops what this instance holds of the request's session read (a `changesMenuCounts` route). */
export function forgetHeldSession(req: Request): void {
  const store = (req as { sessionStore?: unknown }).sessionStore;
  if (store instanceof PostgresSessionStore && req.sessionID) store.forgetHeld(req.sessionID);
}

/**
 * express-session store in Postgres (table http_session), so sessions survive restarts and are
 * shared by every app instance. Works unchanged on PGlite and a PostgreSQL server.
 * Session expiry uses real time (not APP_NOW): it protects accounts, not course dates.
 */
export class PostgresSessionStore extends session.Store {
  private lastPrune = 0;
  private readonly hold: SessionHold;
  /** The request whose session is being read: express-session calls `get` synchronously from its middleware (see `middleware`). */
  private reading: Request | null = null;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly ttlMs = 1000 * 60 * 60 * 24 * 14,
    private readonly counts: PreloadCounts = {},
    holdMs = 0,
  ) {
    super();
    this.hold = new SessionHold(holdMs);
    holds.add(this.hold);
  }

  /** express-session's middleware with this store, telling the store which request it reads for (page view or not). */
  middleware(options: session.SessionOptions): RequestHandler {
    const mw = session({ ...options, store: this });
    return (req, res, next) => {
      this.reading = req;
      try {
        mw(req, res, next);
      } finally {
        this.reading = null;
      }
    };
  }

  private expiry(sess: session.SessionData): Date {
    const cookieExpiry = sess.cookie?.expires ? new Date(sess.cookie.expires) : null;
    return cookieExpiry && !Number.isNaN(cookieExpiry.getTime()) ? cookieExpiry : new Date(Date.now() + this.ttlMs);
  }

  /** The session row with its active user and the course data version: one query by primary key. */
  private read(sid: string) {
    const user: PreloadUser = { id: sql.ref('u.id'), role: sql.ref('u.role'), offeringId: sql.ref('u.offering_id'), sectionId: sql.ref('u.section_id') };
    const counts = Object.values(this.counts).map((count, i) =>
      sql<number | null>`case when u.id is null then null else ${count(this.db, user)} end`.as(`count_${i}`),
    );
    return this.db
      .selectFrom('http_session as s')
      .leftJoin('app_user as u', (j) => j.on('u.id', '=', sql<number>`(s.sess #>> '{passport,user}')::int`).on('u.deactivated_at', 'is', null))
      .select([
        's.sess',
        'u.id',
        'u.email',
        'u.name',
        'u.role',
        'u.offering_id',
        'u.section_id',
        'u.time_zone',
        'u.date_language',
        sql<number | null>`(select version from course_data_version where id = 1)`.as('course_version'),
        ...counts,
      ])
      .where('s.sid', '=', sid)
      .where('s.expires_at', '>', sql<Date>`now()`)
      .executeTakeFirst();
  }

  forgetHeld(sid: string): void {
    this.hold.forget(sid);
  }

  override get(sid: string, cb: (err: unknown, session?: session.SessionData | null) => void): void {
    const req = this.reading;
    const pageView = req !== null && (req.method === 'GET' || req.method === 'HEAD');
    if (!pageView) this.hold.forget(sid);
    const held = pageView ? this.hold.get(sid) : undefined;
    if (held) {
      Object.defineProperty(req, HELD_READ, { value: held.json, configurable: true });
      return cb(null, this.withPreload(JSON.parse(held.json) as session.SessionData, held.preload));
    }
    const readSince = this.hold.now();
    // every request starts with this read by primary key: PostgreSQL may keep its plan (src/db/connect.ts)
    knownVersions
      .keyRead(() => this.read(sid))
      .then((row) => {
        if (!row) return cb(null, null);
        const sess = row.sess as session.SessionData;
        const user =
          row.id === null
            ? null
            : {
                id: row.id,
                email: row.email!,
                name: row.name!,
                role: row.role!,
                offeringId: row.offering_id!,
                sectionId: row.section_id,
                timeZone: row.time_zone!,
                dateLanguage: row.date_language!,
              };
        const counted = row as unknown as Record<string, unknown>;
        const navCounts = Object.fromEntries(Object.keys(this.counts).map((path, i) => [path, Number(counted[`count_${i}`] ?? 0)]));
        const preload: SessionPreload = { user, courseVersion: row.course_version === null ? null : Number(row.course_version), navCounts };
        if (pageView) this.hold.keep(sid, { json: JSON.stringify(sess), preload }, readSince);
        cb(null, this.withPreload(sess, preload));
      }, cb);
  }

  private withPreload(sess: session.SessionData, preload: SessionPreload): session.SessionData {
    Object.defineProperty(sess, PRELOAD, { value: preload, enumerable: false });
    return sess;
  }

  /** express-session builds req.session from what `get` returned: the preload moves onto the request. */
  override createSession(req: Request, sess: session.SessionData): session.Session & session.SessionData {
    const preload = (sess as unknown as { [PRELOAD]?: SessionPreload })[PRELOAD];
    if (preload) Object.defineProperty(req, PRELOAD, { value: preload, enumerable: false, configurable: true });
    return super.createSession(req, sess);
  }

  override set(sid: string, sess: session.SessionData, cb?: (err?: unknown) => void): void {
    const expires_at = this.expiry(sess);
    const value = JSON.stringify(sess);
    this.hold.forget(sid);
    // A session served from the hold is saved only over the row it was read from (see SessionHold).
    const heldRead = (sess as { req?: Request }).req?.[HELD_READ as never] as string | undefined;
    const write =
      heldRead === undefined
        ? this.db
            .insertInto('http_session')
            .values({ sid, sess: value, expires_at })
            .onConflict((oc) => oc.column('sid').doUpdateSet({ sess: value, expires_at }))
        : this.db
            .updateTable('http_session')
            .set({ sess: value, expires_at })
            .where('sid', '=', sid)
            .where('sess', '=', sql<unknown>`${heldRead}::jsonb`);
    write
      .execute()
      .then(() => this.pruneNowAndThen())
      .then(
        () => cb?.(),
        (err) => cb?.(err),
      );
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
    this.hold.forget(sid);
    this.db
      .deleteFrom('http_session')
      .where('sid', '=', sid)
      .execute()
      .then(
        () => cb?.(),
        (err) => cb?.(err),
      );
  }

  private async pruneNowAndThen(): Promise<void> {
    if (Date.now() - this.lastPrune < 15 * 60_000) return;
    this.lastPrune = Date.now();
    await this.db
      .deleteFrom('http_session')
      .where('expires_at', '<=', sql<Date>`now()`)
      .execute();
  }
}
