import type { NextFunction, Request, Response } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';
import { z } from 'zod';
import { LOGIN_PER_ACCOUNT, LOGIN_PER_CLIENT } from '../accounts/accounts.routes';
import { accountsService } from '../accounts/accounts.service';
import { normalizeEmail } from '../accounts/identity';
import { usersRepository } from '../accounts/users.repository';
import type { AppContext } from '../context';
import { allowFraming } from '../http/framing';
import { flash, render } from '../http/render';
import type { RouteDef } from '../http/routing';
import { throttle, type ThrottleRule } from '../http/throttle';
import { deepLinkChoiceSchema, deepLinkingService } from './deep-linking';
import { handoffService } from './handoff';
import { launchService, type LaunchOutcome } from './launch.service';
import { platformOrigins } from './platforms';
import { LaunchRefused } from './refusals';

/**
 * The LTI 1.3 endpoints a platform talks to (fixed paths a course team pastes into Studio):
 * /lti/login (OIDC login initiation, GET or POST), /lti/launch (the id_token form post), and the
 * pages a launch leads to. Posted from the platform's site with no session of ours, so they carry
 * no CSRF token (src/http/csrf.ts lists them): each is authorized by a single-use secret it posts
 * (the state, a pending-link token, a hand-off code, a deep linking token).
 */
const LTI_LOGIN_PER_CLIENT: ThrottleRule = { name: 'lti-login-client', limit: 300, windowMinutes: 15 };
const clientOf = (req: Request) => ipKeyGenerator(req.ip ?? '');

const login = (ctx: AppContext) => async (req: Request, res: Response) => {
  const limits = [{ rule: LTI_LOGIN_PER_CLIENT, subject: clientOf(req) }];
  if (await throttle.isBlocked(ctx.db, limits))
    throw new LaunchRefused(429, 'Too many launches from this network in the last 15 minutes.', 'Wait a few minutes and launch again.');
  const params = req.method === 'POST' ? req.body : req.query;
  // Counted when a login state is made (a refused login writes nothing): bounds the states one network can make.
  const redirect = await ctx.db.transaction().execute(async (trx) => {
    const to = await launchService.startLogin(trx, params, { baseUrl: ctx.config.baseUrl, now: ctx.clock.now() });
    await throttle.hit(trx, limits);
    return to;
  });
  res.redirect(302, redirect);
};

/** Signs the learner in here (kept if the frame keeps cookies) and sends the frame on with a hand-off code. */
async function signInAndContinue(
  ctx: AppContext,
  req: Request,
  res: Response,
  next: NextFunction,
  who: { userId: number; platformId: number; target: string; ancestors: string[]; notice: string | null },
) {
  const user = (await usersRepository.findById(ctx.db, who.userId))!;
  const code = await handoffService.issue(ctx.db, {
    userId: user.id,
    platformId: who.platformId,
    target: who.target,
    notice: who.notice,
    now: ctx.clock.now(),
  });
  req.logIn(accountsService.sessionUser(user), (e) => {
    if (e) return next(e);
    req.session.frameAncestors = who.ancestors;
    // Inside the platform's iframe the session cookie is a third-party cookie: it can only come back as SameSite=None; Secure.
    if (ctx.config.httpsOnly) {
      req.session.cookie.sameSite = 'none';
      req.session.cookie.secure = true;
    }
    allowFraming(res, who.ancestors);
    res.redirect(303, `/lti/continue?code=${encodeURIComponent(code)}`);
  });
}

function showOutcome(ctx: AppContext, req: Request, res: Response, next: NextFunction, outcome: Exclude<LaunchOutcome, { kind: 'signed-in' }>) {
  const ancestors = platformOrigins(outcome.platform);
  allowFraming(res, ancestors);
  if (outcome.kind === 'deep-linking')
    return deepLinkingService.choices(ctx.db, outcome.token, ctx.clock.now()).then((model) => {
      render(res, 'lti/deep-link', { title: 'Choose what this link opens', token: outcome.token, ...model, errors: {}, picked: [] });
    }, next);
  if (outcome.kind === 'staff') return render(res, 'lti/staff', { title: 'Cohort Companion', course: outcome.course, platform: outcome.platform.issuer });
  render(
    res,
    'lti/confirm',
    {
      title: 'Link your edX account',
      token: outcome.token,
      course: outcome.course,
      notOnRoster: outcome.kind === 'not-on-roster' ? outcome.email : null,
      values: { email: outcome.email ?? '' },
      errors: {},
    },
    outcome.kind === 'not-on-roster' ? 403 : 200,
  );
}

const launch = (ctx: AppContext) => async (req: Request, res: Response, next: NextFunction) => {
  const outcome = await launchService.launch(ctx.db, req.body, { baseUrl: ctx.config.baseUrl, now: ctx.clock.now() });
  if (outcome.kind !== 'signed-in') return showOutcome(ctx, req, res, next, outcome);
  await signInAndContinue(ctx, req, res, next, {
    userId: outcome.userId,
    platformId: outcome.platform.id,
    target: outcome.landing.target,
    ancestors: platformOrigins(outcome.platform),
    notice: outcome.landing.notice,
  });
};

const codeSchema = z.object({ code: z.string().trim().min(1, 'This sign-in link is incomplete.').max(200) });
const badCode = () => new LaunchRefused(400, 'This sign-in link is incomplete.', 'Launch Cohort Companion again from edX.');

const continuePage = (ctx: AppContext) => async (req: Request, res: Response) => {
  const parsed = codeSchema.safeParse(req.query);
  if (!parsed.success) throw badCode();
  const step = await ctx.db.transaction().execute((trx) => handoffService.continueIn(trx, parsed.data.code, req.user?.id ?? null, ctx.clock.now()));
  allowFraming(res, step.frameAncestors);
  if (step.kind === 'go') {
    if (step.notice) flash(res, step.notice, 'info');
    return res.redirect(303, step.target);
  }
  render(res, 'lti/open-window', { title: 'Open Cohort Companion', code: parsed.data.code });
};

const openWindow = (ctx: AppContext) => async (req: Request, res: Response, next: NextFunction) => {
  const parsed = codeSchema.safeParse(req.body);
  if (!parsed.success) throw badCode();
  const who = await ctx.db.transaction().execute((trx) => handoffService.open(trx, parsed.data.code, ctx.clock.now()));
  const user = (await usersRepository.findById(ctx.db, who.userId))!;
  req.logIn(accountsService.sessionUser(user), (e) => {
    if (e) return next(e);
    if (who.notice) flash(res, who.notice, 'info');
    res.redirect(303, who.target);
  });
};

const linkSchema = z.object({
  token: z.string().trim().max(200).default(''),
  email: z.string().trim().max(320).default(''),
  password: z.string().max(1000).default(''),
});

const confirmLink = (ctx: AppContext) => async (req: Request, res: Response, next: NextFunction) => {
  const parsed = linkSchema.safeParse(req.body ?? {});
  if (!parsed.success) throw new LaunchRefused(400, 'This confirmation form is malformed.', 'Launch Cohort Companion again from edX.');
  const form = parsed.data;
  if (!form.token) throw new LaunchRefused(400, 'This confirmation is incomplete.', 'Launch Cohort Companion again from edX.');
  const limits = [
    { rule: LOGIN_PER_ACCOUNT, subject: normalizeEmail(form.email) },
    { rule: LOGIN_PER_CLIENT, subject: clientOf(req) },
  ];
  const again = (status: number, message: string, platform: { issuer: string; auth_url: string } | null) => {
    if (platform) allowFraming(res, platformOrigins(platform));
    render(
      res,
      'lti/confirm',
      { title: 'Link your edX account', token: form.token, course: null, notOnRoster: null, values: { email: form.email }, errors: { _form: message } },
      status,
    );
  };
  if (!form.email || !form.password) return again(422, 'Enter the email and password of your Cohort Companion account.', null);
  if (await throttle.isBlocked(ctx.db, limits))
    return again(429, 'Too many failed attempts. For your security, wait 15 minutes before trying again, or reset your password in a new window.', null);
  const result = await launchService.confirmLink(ctx.db, form, ctx.clock.now());
  if (result.kind === 'wrong-password') {
    await throttle.hit(ctx.db, limits);
    return again(401, 'That email and password do not match an account.', result.platform);
  }
  await signInAndContinue(ctx, req, res, next, {
    userId: result.userId,
    platformId: result.platform.id,
    target: result.landing.target,
    ancestors: platformOrigins(result.platform),
    notice: result.landing.notice ?? 'Your edX account is linked: from now on, launching from edX signs you in.',
  });
};

const deepLinkRespond = (ctx: AppContext) => async (req: Request, res: Response) => {
  const parsed = deepLinkChoiceSchema.safeParse(req.body);
  if (!parsed.success) throw new LaunchRefused(400, 'This choice is incomplete.', 'Add the Cohort Companion component again in Studio.');
  const now = ctx.clock.now();
  const result = await ctx.db.transaction().execute((trx) => deepLinkingService.respond(trx, parsed.data, { baseUrl: ctx.config.baseUrl, now }));
  if (result.kind === 'invalid') {
    const model = await deepLinkingService.choices(ctx.db, parsed.data.token, now);
    allowFraming(res, model.frameAncestors);
    return render(
      res,
      'lti/deep-link',
      { title: 'Choose what this link opens', token: parsed.data.token, ...model, errors: { choice: result.message }, picked: result.picked },
      422,
    );
  }
  allowFraming(res, result.frameAncestors, { formAction: [new URL(result.returnUrl).origin] });
  render(res, 'lti/deep-link-return', { title: 'Send your choice to edX', returnUrl: result.returnUrl, jwt: result.jwt, labels: result.labels });
};

const crossSite = 'public' as const;

export const launchRoutes: RouteDef[] = [
  { method: 'get', path: '/lti/login', access: crossSite, handler: login, summary: 'LTI 1.3 OIDC login initiation (from the platform)' },
  { method: 'post', path: '/lti/login', access: crossSite, handler: login, summary: 'LTI 1.3 OIDC login initiation (form post from the platform)' },
  { method: 'post', path: '/lti/launch', access: crossSite, handler: launch, summary: 'LTI 1.3 launch: the platform’s signed id_token' },
  {
    method: 'get',
    path: '/lti/continue',
    access: crossSite,
    secretUrl: true,
    handler: continuePage,
    summary: 'After a launch: on to the page, or the button to open a new window',
  },
  {
    method: 'post',
    path: '/lti/open',
    access: crossSite,
    handler: openWindow,
    summary: 'Open Cohort Companion in a new window with a launch’s single-use code',
  },
  { method: 'post', path: '/lti/link', access: crossSite, handler: confirmLink, summary: 'Link an edX account by signing in once' },
  {
    method: 'post',
    path: '/lti/deep-link',
    access: crossSite,
    handler: deepLinkRespond,
    summary: 'Deep Linking: send the course team’s choice back to the platform',
  },
];
