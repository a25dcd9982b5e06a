import type { Request, Response } from 'express';
import { z } from 'zod';
import type { AppContext } from '../context';
import { courseRepository } from '../course/course.repository';
import { NotFound } from '../errors';
import { currentUser } from '../http/auth';
import { flash, render } from '../http/render';
import type { RouteDef } from '../http/routing';
import { formatDateTime } from '../time';
import { feedForToken, feedLink, regenerateFeed, revokeFeed } from './calendar-feed.service';
import { semesterCalendar } from './calendar.service';

export async function calendarModel(ctx: AppContext, me: Express.User) {
  const [offering, weeks] = await Promise.all([
    courseRepository.offering(ctx.db, me.offeringId),
    semesterCalendar(ctx.db, me.offeringId, me.role === 'instructor' ? null : me, me.timeZone),
  ]);
  return { offering, weeks, zone: me.timeZone, campus: me.role !== 'community' };
}

const calendarPage = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const [model, feed] = await Promise.all([calendarModel(ctx, me), feedLink(ctx.db, me.id, ctx.config.baseUrl)]);
  render(res, 'calendar/index', {
    title: 'Semester calendar',
    ...model,
    feed: feed ? { url: feed.url, webcal: feed.webcal, created: formatDateTime(feed.createdAt, me.timeZone) } : null,
  });
};

const regenerate = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const { replaced } = await ctx.db.transaction().execute((trx) => regenerateFeed(trx, me.id, ctx.clock.now()));
  flash(
    res,
    replaced
      ? 'Your new calendar link is ready. The old link no longer works: subscribe again with the new one.'
      : 'Your calendar link is ready: subscribe to it in your calendar app.',
  );
  res.redirect(303, '/calendar#subscribe');
};

const revoke = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const revoked = await ctx.db.transaction().execute((trx) => revokeFeed(trx, me.id, ctx.clock.now()));
  flash(res, revoked ? 'Your calendar link is turned off. Calendar apps subscribed to it stop updating.' : 'You had no calendar link to turn off.', 'info');
  res.redirect(303, '/calendar#subscribe');
};

const tokenSchema = z.string().regex(/^[A-Za-z0-9_-]{32,128}$/);

const feed = (ctx: AppContext) => async (req: Request, res: Response) => {
  const token = tokenSchema.safeParse(req.params.token);
  const found = token.success ? await feedForToken(ctx.db, token.data, ctx.config.baseUrl, ctx.clock.now()) : null;
  if (found === null) throw new NotFound('This calendar link does not work: it may have been replaced. Copy the current one from the calendar page.');
  // Calendar apps poll without cookies: do not start (and store) a session for every poll.
  (req as { session?: unknown }).session = undefined;
  res.set({ ETag: found.etag, 'Cache-Control': 'private, no-cache', 'X-Robots-Tag': 'noindex, nofollow' });
  // Unchanged since the app's last poll: nothing to build or send.
  const known = (req.get('if-none-match') ?? '').split(',').map((t) => t.trim().replace(/^W\//, ''));
  if (known.includes(found.etag) || known.includes('*')) return res.status(304).end();
  res.status(200).set({ 'Content-Type': 'text/calendar; charset=utf-8', 'Content-Disposition': 'inline; filename="cohort-companion.ics"' }).send(found.body());
};

export const calendarRoutes: RouteDef[] = [
  {
    method: 'get',
    path: '/calendar',
    access: 'authenticated',
    nav: { label: 'Calendar', order: 20 },
    handler: calendarPage,
    summary: 'Semester calendar in your time zone, and your calendar subscription link',
  },
  {
    method: 'post',
    path: '/calendar/feed/regenerate',
    access: 'authenticated',
    handler: regenerate,
    summary: 'Create or replace your personal calendar feed link (the old one stops working)',
  },
  { method: 'post', path: '/calendar/feed/revoke', access: 'authenticated', handler: revoke, summary: 'Turn off your personal calendar feed link' },
  { method: 'get', path: '/calendar/feed/:token.ics', access: 'public', secretUrl: true, handler: feed, summary: 'Your personal iCalendar feed (secret URL)' },
];
