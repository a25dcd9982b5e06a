import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Role } from '../roles';
import type { AppContext } from '../context';

/**
 * The explicit route table. Every feature exports its routes as data; app.ts mounts them and
 * the security suite reads them. `access` is the first authorization step (who may call it);
 * services make the second (may this user touch this record).
 */
export type Access = 'public' | 'guest' | 'authenticated' | readonly Role[];

export type Handler = (req: Request, res: Response, next: NextFunction) => unknown;

/** A GET page in the main menu: its label, its place (ascending), and who sees it (default: everyone `access` lets in). */
export interface NavEntry {
  label: string;
  order: number;
  roles?: readonly Role[];
}

export interface RouteDef {
  method: 'get' | 'post';
  path: string;
  access: Access;
  /** Built once with the app context. */
  handler: (ctx: AppContext) => Handler | Handler[];
  /** multipart/form-data: CSRF is checked after the upload middleware parses the body. A POST without it refuses a multipart body with 415 (src/http/route-flags.ts). */
  multipart?: boolean;
  /** Public routes authenticated by a secret in the URL (e.g. the calendar feed): answered with Referrer-Policy: no-referrer. */
  secretUrl?: boolean;
  /**
   * A page view that changes a count the menu shows (opening a message marks it read): the session
   * read this instance keeps for the session's next page views is dropped when it ends, so the next
   * page shows the new count (src/http/session-store.ts).
   */
  changesMenuCounts?: boolean;
  /** Public probes (/healthz, /readyz): mounted before the session middleware, so they answer without a session read, even while the database is away. */
  sessionless?: boolean;
  /** In the main menu (src/http/nav.ts): one entry, or one per role when the label differs. */
  nav?: NavEntry | readonly NavEntry[];
  /** A short description for the security matrix and README. */
  summary: string;
}

export type { RequestHandler };
