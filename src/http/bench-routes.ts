import type { Express, Request, Response } from 'express';
import { queryCount } from '../db/query-counter';
import { render } from './render';

/**
 * Only with BENCH_ROUTES=on (npm run bench): the ceiling — a page of similar size (about 8 KB,
 * like a student's "this week" page) rendered by express + ejs through the same middleware and
 * layout, with no database work — and the process's counters. Mounted outside the route table
 * on purpose: it never exists in a normal deployment.
 */
const rows = Array.from({ length: 64 }, (_, i) => ({ label: `Component ${i + 1}`, detail: 'A short line of text like the ones on a lesson page.' }));

/**
 * The bare ceiling (issue 19): the same page through express + ejs alone, mounted before every
 * middleware (no helmet, session, passport, csrf, locals): what the framework itself can serve.
 * Beside the middleware ceiling it shows what the middleware costs before any page work.
 */
export function mountBareCeiling(app: Express, now: () => Date): void {
  app.get('/__bench/bare', (_req: Request, res: Response) => {
    Object.assign(res.locals, {
      currentUser: null,
      navItems: [],
      navCounts: {},
      csrfToken: '',
      flash: [],
      currentPath: '/',
      clockPinned: false,
      appNow: now(),
      errors: {},
      values: {},
    });
    render(res, 'bench/ceiling', { title: 'Ceiling', rows });
  });
}

export function mountBenchRoutes(app: Express): void {
  app.get('/__bench/ceiling', (req: Request, res: Response) => {
    // The layout's CSRF token put a new session in req.session: drop it, as the iCal feed does,
    // so the ceiling neither writes a session row nor sets a cookie (no database work at all).
    (req as { session?: unknown }).session = undefined;
    render(res, 'bench/ceiling', { title: 'Ceiling', rows });
  });
  app.get('/__bench/stats', (req: Request, res: Response) => {
    (req as { session?: unknown }).session = undefined; // polled often: must not count (or cause) queries itself
    res.json({ queries: queryCount(), rss: process.memoryUsage().rss });
  });
}
