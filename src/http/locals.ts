import type { NextFunction, Request, Response } from 'express';
import type { AppContext } from '../context';
import { csrfToken } from './csrf';
import type { Db } from '../db/database';
import type { NavMenus } from './nav';

/** Unread counts shown beside menu entries (the inbox's), by the entry's path. */
export type NavCounts = (db: Db, user: Express.User) => Promise<Record<string, number>>;

/** What every view can use: the signed-in user, the CSRF token, one-time messages, the nav (and its counts, read by render()). */
export function locals(ctx: AppContext, menus: NavMenus, navCounts?: NavCounts) {
  return (req: Request, res: Response, next: NextFunction) => {
    const session = req.session as unknown as { flash?: { kind: string; message: string }[] } | undefined;
    res.locals.currentUser = req.user ?? null;
    res.locals.navItems = req.user ? menus[req.user.role] : [];
    const user = req.user;
    res.locals.navCountsOf = user && navCounts ? () => navCounts(ctx.db, user) : null;
    res.locals.csrfToken = req.session ? csrfToken(req) : '';
    res.locals.flash = session?.flash ?? [];
    if (session?.flash) delete session.flash;
    res.locals.currentPath = req.path;
    res.locals.clockPinned = !!ctx.config.APP_NOW;
    res.locals.appNow = ctx.clock.now();
    res.locals.errors = {};
    res.locals.values = {};
    next();
  };
}
