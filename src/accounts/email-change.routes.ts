import type { Request, Response } from 'express';
import type { AppContext } from '../context';
import { submitsTo, type FormPage } from '../http/form-page';
import { flash, render } from '../http/render';
import type { RouteDef } from '../http/routing';
import { emailChangeService } from './email-change.service';

/** The link in an email-change message: a page with one button (a mail scanner's GET changes nothing), then the change. */
const confirmPage = (ctx: AppContext) => async (req: Request, res: Response) => {
  const live = await emailChangeService.check(ctx.db, String(req.params.token), ctx.clock.now());
  render(
    res,
    'accounts/confirm-email',
    { title: 'Confirm your email address', valid: !!live, name: live?.user.name ?? '', newEmail: live?.newEmail ?? '', errors: {} },
    live ? 200 : 410,
  );
};

/** The confirm page after a refused change (the link expired, 410; the address was taken meanwhile, 409): closed, with the reason. */
const confirmForm: FormPage = {
  view: 'accounts/confirm-email',
  locals: () => ({ title: 'Confirm your email address', valid: false, name: '', newEmail: '' }),
  values: () => ({}),
};

const confirm = (ctx: AppContext) => async (req: Request, res: Response) => {
  const r = await ctx.db.transaction().execute((trx) => emailChangeService.confirm(trx, String(req.params.token), ctx.clock.now()));
  // Every session of the account ended with the change; this browser's too, if it was theirs.
  if (req.user?.id === r.userId) await new Promise<void>((resolve, reject) => req.logout((e) => (e ? reject(e) : resolve())));
  flash(res, `Your email address is now ${r.email}. Sign in with it.`);
  res.redirect(303, req.user ? '/' : '/login');
};

export const emailChangeRoutes: RouteDef[] = [
  {
    method: 'get',
    path: '/confirm-email/:token',
    access: 'public',
    secretUrl: true,
    handler: confirmPage,
    summary: 'Confirm a new email address (link from the email)',
  },
  {
    method: 'post',
    path: '/confirm-email/:token',
    access: 'public',
    secretUrl: true,
    handler: (ctx) => submitsTo(confirmForm, confirm(ctx)),
    summary: 'Confirm a new email address',
  },
];
