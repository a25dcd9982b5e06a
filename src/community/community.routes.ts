import type { NextFunction, Request, Response } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';
import { accountsService } from '../accounts/accounts.service';
import type { AppContext } from '../context';
import { Expired } from '../errors';
import { currentUser } from '../http/auth';
import { submitsTo, type FormPage } from '../http/form-page';
import { parseForm } from '../http/forms';
import { idParam } from '../http/params';
import { flash, render } from '../http/render';
import type { RouteDef } from '../http/routing';
import { throttle, type ThrottleRule } from '../http/throttle';
import { timeZoneChoices } from '../time-zones';
import { communityPageQuery, confirmJoinSchema, joinSchema } from './community.schemas';
import { CONFIRM_TTL_HOURS, communityService } from './community.service';
import { countryChoices } from '../countries';

/**
 * Abuse limits on the join form (counted in PostgreSQL, src/http/throttle.ts): 3 requests per
 * address an hour (normalized, so " A@x" and "a@x" are one counter) and 20 per client address an
 * hour, whether or not the address has an account.
 */
export const JOIN_PER_ADDRESS: ThrottleRule = { name: 'join-address', limit: 3, windowMinutes: 60 };
export const JOIN_PER_CLIENT: ThrottleRule = { name: 'join-client', limit: 20, windowMinutes: 60 };

const choices = () => ({ zones: timeZoneChoices(), countries: countryChoices() });

const joinForm = (ctx: AppContext): FormPage => ({
  view: 'community/join',
  locals: async (req, _res, posted) => {
    // A link that closed (or closes between showing the form and sending it) says why instead of showing the form.
    const { offering, closed } =
      posted?.error instanceof Expired
        ? { offering: null, closed: posted.error.message }
        : await communityService.openLink(ctx.db, String(req.params.code), ctx.clock.now()).then(
            (open) => ({ offering: open.offering, closed: null }),
            (err: unknown) => {
              if (err instanceof Expired) return { offering: null, closed: err.message };
              throw err;
            },
          );
    return {
      title: offering ? `Join ${offering.code} ${offering.title}` : 'Join link closed',
      offering,
      closed,
      signedInAs: req.user?.email ?? null,
      action: `/join/${encodeURIComponent(String(req.params.code))}`,
      values: { timeZone: '', country: '' },
      ...choices(),
    };
  },
  summary: true,
});

/** The join page; a closed link says why, 410. */
const joinPage = (ctx: AppContext) => async (req: Request, res: Response) => {
  const locals = await joinForm(ctx).locals(req, res);
  render(res, 'community/join', { ...locals, errors: {} }, locals.offering ? 200 : 410);
};

const join = (ctx: AppContext) => async (req: Request, res: Response) => {
  const input = parseForm(joinSchema, req.body);
  const limits = [
    { rule: JOIN_PER_ADDRESS, subject: input.email },
    { rule: JOIN_PER_CLIENT, subject: ipKeyGenerator(req.ip ?? '') },
  ];
  const blocked = await ctx.db.transaction().execute(async (trx) => {
    if (await throttle.isBlocked(trx, limits)) return true;
    await throttle.hit(trx, limits);
    await communityService.requestToJoin(trx, { code: String(req.params.code), ...input, now: ctx.clock.now(), baseUrl: ctx.config.baseUrl });
    return false;
  });
  if (blocked) {
    const locals = await joinForm(ctx).locals(req, res);
    const errors = { _form: 'Too many requests to join from here. If an email is on its way, use the link in it; otherwise try again in an hour.' };
    return render(res, 'community/join', { ...locals, values: { ...input }, errors }, 429);
  }
  render(res, 'community/join-sent', { title: 'Check your email', email: input.email, hours: CONFIRM_TTL_HOURS });
};

const confirmForm = (ctx: AppContext): FormPage => ({
  view: 'community/confirm',
  locals: async (req, _res, posted) => {
    const request = posted?.error instanceof Expired ? undefined : await communityService.waitingRequest(ctx.db, String(req.params.token), ctx.clock.now());
    return { title: 'Confirm and choose a password', request: request ? { name: request.name, email: request.email } : null, values: {} };
  },
  values: () => ({}),
  summary: true,
});

const confirmPage = (ctx: AppContext) => async (req: Request, res: Response) => {
  const locals = await confirmForm(ctx).locals(req, res);
  render(
    res,
    'community/confirm',
    { ...locals, errors: locals.request ? {} : { _form: 'This confirmation link has expired or has already been used.' } },
    locals.request ? 200 : 410,
  );
};

const confirm = (ctx: AppContext) => async (req: Request, res: Response, next: NextFunction) => {
  const { password } = parseForm(confirmJoinSchema, req.body);
  const user = await ctx.db.transaction().execute((trx) => communityService.confirm(trx, String(req.params.token), password, ctx.clock.now()));
  req.logIn(accountsService.sessionUser(user), (e) => {
    if (e) return next(e);
    flash(res, `Welcome, ${user.name}! Your email is confirmed. This is your week: open this week’s lesson and join a Team Practice team.`);
    res.redirect(303, '/');
  });
};

const learnersPage = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const { page } = communityPageQuery.parse(req.query);
  const model = await communityService.learnersPage(ctx.db, me.offeringId, page, me.timeZone);
  render(res, 'community/learners', { title: 'Community learners', ...model });
};

const removeOrRestore = (ctx: AppContext, action: 'remove' | 'restore') => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const userId = idParam(req.params.userId, 'There is no such community learner.');
  const name = await ctx.db.transaction().execute((trx) => communityService[action](trx, me, userId, ctx.clock.now(), ctx.config.reminderOffsetsDays));
  flash(
    res,
    action === 'remove' ? `${name} is removed from the community: signed out, their work kept. You can restore them.` : `${name} is back in the community.`,
  );
  res.redirect(303, '/instructor/community');
};

const learnersForm = (ctx: AppContext): FormPage => ({
  view: 'community/learners',
  locals: async (req) => ({
    title: 'Community learners',
    ...(await communityService.learnersPage(ctx.db, currentUser(req).offeringId, 1, currentUser(req).timeZone)),
  }),
  summary: true,
});

const instructor = ['instructor'] as const;

export const communityRoutes: RouteDef[] = [
  { method: 'get', path: '/join/:code', access: 'public', handler: joinPage, summary: 'Join the community through a join link' },
  {
    method: 'post',
    path: '/join/:code',
    access: 'public',
    handler: (ctx) => submitsTo(joinForm(ctx), join(ctx)),
    summary: 'Ask to join: emails a one-time confirmation link',
  },
  { method: 'get', path: '/join/confirm/:token', access: 'public', secretUrl: true, handler: confirmPage, summary: 'Confirm your email: choose a password' },
  {
    method: 'post',
    path: '/join/confirm/:token',
    access: 'public',
    secretUrl: true,
    handler: (ctx) => submitsTo(confirmForm(ctx), confirm(ctx)),
    summary: 'Confirm your email and create your community account',
  },
  {
    method: 'get',
    path: '/instructor/community',
    access: instructor,
    nav: { label: 'Community', order: 105 },
    handler: learnersPage,
    summary: 'Community learners: who joined when, through which link',
  },
  {
    method: 'post',
    path: '/instructor/community/:userId/remove',
    access: instructor,
    handler: (ctx) => submitsTo(learnersForm(ctx), removeOrRestore(ctx, 'remove')),
    summary: 'Remove a community learner (soft: signed out, work kept)',
  },
  {
    method: 'post',
    path: '/instructor/community/:userId/restore',
    access: instructor,
    handler: (ctx) => submitsTo(learnersForm(ctx), removeOrRestore(ctx, 'restore')),
    summary: 'Restore a removed community learner',
  },
];
