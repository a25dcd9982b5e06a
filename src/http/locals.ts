import type { NextFunction, Request, Response } from 'express';
import type { AppContext } from '../context';
import { csrfToken } from './csrf';
import type { NavMenus } from './nav';
import { sessionPreload } from './session-store';

/** What every view can use: the signed-in user, the CSRF token, one-time messages, the nav and its unread counts (read with the session). */
export function locals(ctx: AppContext, menus: NavMenus) {
  return (req: Request, res: Response, next: NextFunction) => {
    const session = req.session as unknown as { flash?: { kind: string; message: string }[] } | undefined;
    res.locals.currentUser = req.user ?? null;
    res.locals.navItems = req.user ? menus[req.user.role] : [];
    res.locals.navCounts = req.user ? (sessionPreload(req)?.navCounts ?? {}) : {};
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
