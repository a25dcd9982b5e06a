import type { Request, Response } from 'express';
import type { AppContext } from '../context';
import { NotFound } from '../errors';
import { render } from '../http/render';
import type { RouteDef } from '../http/routing';
import { verifyUnsubscribeToken, type OptOutKind } from '../mail/unsubscribe';
import { usersRepository } from './users.repository';

const kindLabels: Record<OptOutKind, string> = {
  reminder_meeting: 'campus meeting reminders',
  announcement: 'announcements',
  digest: 'daily digests',
  weekly_nudge: 'weekly "this week\'s lesson" nudges',
  reminder_office_hours: 'virtual office hours reminders',
};

/** The user and kind the link names; a tampered or unknown token is a 404, never more. */
function tokenOf(ctx: AppContext, req: Request) {
  const named = verifyUnsubscribeToken(ctx.config.sessionSecret, String(req.params.token));
  if (!named) throw new NotFound();
  return named;
}

/** The link opened in a browser (or by a mail scanner): a page with one button; nothing changes. */
const confirmPage = (ctx: AppContext) => async (req: Request, res: Response) => {
  const { userId, kind } = tokenOf(ctx, req);
  const user = await usersRepository.findById(ctx.db, userId);
  if (!user) throw new NotFound();
  render(res, 'accounts/unsubscribe', { title: 'Unsubscribe', kindLabel: kindLabels[kind], done: false, errors: {} });
};

/** RFC 8058 one-click: a POST (body `List-Unsubscribe=One-Click`, or the page's button) turns that kind off at once. No session, no CSRF token: the signed URL is the authority. */
const unsubscribe = (ctx: AppContext) => async (req: Request, res: Response) => {
  const { userId, kind } = tokenOf(ctx, req);
  const changed = await ctx.db.transaction().execute((trx) => usersRepository.unsubscribe(trx, userId, kind));
  if (!changed) throw new NotFound();
  render(res, 'accounts/unsubscribe', { title: 'Unsubscribed', kindLabel: kindLabels[kind], done: true, errors: {} });
};

export const unsubscribeRoutes: RouteDef[] = [
  {
    method: 'get',
    path: '/unsubscribe/:token',
    access: 'public',
    secretUrl: true,
    handler: confirmPage,
    summary: 'Unsubscribe link from an email: confirmation page (changes nothing)',
  },
  {
    method: 'post',
    path: '/unsubscribe/:token',
    access: 'public',
    secretUrl: true,
    handler: unsubscribe,
    summary: 'One-click unsubscribe (RFC 8058): turns that kind of email off, no session or CSRF token',
  },
];
