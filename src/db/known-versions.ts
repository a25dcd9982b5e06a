import { AsyncLocalStorage } from 'node:async_hooks';
import type { Db } from './database';

/**
 * Version numbers of cached data (course_data_version) read in a request's first query — the
 * session read (src/http/session-store.ts) — so the caches keyed by them (src/course/course-cache.ts)
 * need not read them again in a query of their own. Only reads are given them (GET and HEAD, outside
 * a transaction): a version read at the start of a request is as new as the last change committed
 * before the request started, which is the promise the caches make; a request that writes course data
 * reads the version itself. A hint is for the database handle it was read from and for a few seconds
 * only, so work a request leaves running never uses an old one.
 */
interface Known {
  db: Db;
  course: number;
  readAt: number;
}

/** A page view (with the versions it read), or a read by key outside one (the session read). */
interface Scope {
  known: Known | null;
}

const store = new AsyncLocalStorage<Scope>();
const MAX_AGE_MS = 2_000;

function run<T>(db: Db, course: number, fn: () => T): T {
  return store.run({ known: { db, course, readAt: performance.now() } }, fn);
}

/** Runs `fn` as a read by key (planned once, like a page view's statements) without known versions. */
function keyRead<T>(fn: () => T): T {
  return store.run({ known: null }, fn);
}

/** The course data version this request already read from `db`, if any. */
function course(db: Db): number | undefined {
  const k = store.getStore()?.known;
  if (!k || k.db !== db || db.isTransaction || performance.now() - k.readAt > MAX_AGE_MS) return undefined;
  return k.course;
}

/**
 * Whether this code runs in a page view (a GET or HEAD with a session) or a `keyRead`: its statements are small
 * reads by key, which PostgreSQL may plan once and keep (src/db/connect.ts). Everything else —
 * form posts, the worker's batch jobs, scripts — is planned on every run: a plan kept from when a
 * table was nearly empty (the outbox before a reminder run) stays a bad plan as the table grows.
 */
function inPageView(): boolean {
  return store.getStore() !== undefined;
}

export const knownVersions = Object.freeze({ run, course, keyRead, inPageView });
