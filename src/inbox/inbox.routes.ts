import { LEARNERS } from '../roles';
import type { Request, Response } from 'express';
import type { AppContext } from '../context';
import { NotFound } from '../errors';
import { currentUser } from '../http/auth';
import { idParam } from '../http/params';
import { flash, render } from '../http/render';
import type { RouteDef } from '../http/routing';
import { inboxService } from './inbox.service';

/** The student's inbox: notices and announcements, newest first, read and unread. */
const NO_SUCH_NOTICE = 'There is no such message in your inbox.';

const inboxPage = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const model = await inboxService.page(ctx.db, me);
  render(res, 'inbox/index', { title: 'Inbox', ...model, zone: me.timeZone });
};

/** Opening a notice marks it read and leads to the page it is about. */
const openNotice = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const url = await inboxService.openNotice(ctx.db, me, idParam(req.params.noticeId, NO_SUCH_NOTICE), ctx.clock.now());
  if (!url) throw new NotFound(NO_SUCH_NOTICE);
  res.redirect(303, url);
};

const markAllRead = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const n = await ctx.db.transaction().execute((trx) => inboxService.markAllRead(trx, me, ctx.clock.now()));
  flash(res, n ? `Marked ${n} message${n === 1 ? '' : 's'} as read.` : 'Everything was already read.', 'info');
  res.redirect(303, '/inbox');
};

export const inboxRoutes: RouteDef[] = [
  {
    method: 'get',
    path: '/inbox',
    access: LEARNERS,
    nav: { label: 'Inbox', order: 150 },
    handler: inboxPage,
    summary: 'Your notices and announcements, newest first, read and unread',
  },
  {
    method: 'get',
    path: '/inbox/notices/:noticeId',
    changesMenuCounts: true,
    access: LEARNERS,
    handler: openNotice,
    summary: 'Opens one of your notices (marks it read) and goes to the page it is about',
  },
  {
    method: 'post',
    path: '/inbox/read-all',
    access: LEARNERS,
    handler: markAllRead,
    summary: 'Marks every notice and announcement in your inbox as read',
  },
];
