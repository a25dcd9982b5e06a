import type { Request, Response, NextFunction } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';
import type passport from 'passport';
import type { AppContext } from '../context';
import { Expired } from '../errors';
import { submitsTo, type FormPage } from '../http/form-page';
import { parseForm, submittedValues } from '../http/forms';
import { flash, render } from '../http/render';
import type { RouteDef } from '../http/routing';
import { currentUser } from '../http/auth';
import { throttle, type ThrottleRule } from '../http/throttle';
import { normalizeEmail } from './identity';
import { timeZoneChoices } from '../time-zones';
import { dateLanguageChoices } from '../time';
import { forgotSchema, loginSchema, passwordSchema, settingsSchema, type SettingsInput } from './accounts.schemas';
import type { Role } from '../roles';
import { accountsService } from './accounts.service';
import { usersRepository } from './users.repository';

function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?!\/)[^\\]*$/.test(next) ? next : '/';
}

/**
 * Abuse limits, counted in PostgreSQL (src/http/throttle.ts) so every instance sees the same counts.
 * Logins: 10 failures per account per 15 minutes (keyed on the normalized address, so " X@y" and
 * "x@y" are one counter), and 50 failures per client address, which also stops spraying one
 * password across many accounts. Successful logins do not count. Password resets: 3 requests per
 * address an hour and 20 per client address an hour, whether or not the address has an account.
 */
export const LOGIN_PER_ACCOUNT: ThrottleRule = { name: 'login-account', limit: 10, windowMinutes: 15 };
export const LOGIN_PER_CLIENT: ThrottleRule = { name: 'login-client', limit: 50, windowMinutes: 15 };
export const RESET_PER_ADDRESS: ThrottleRule = { name: 'reset-address', limit: 3, windowMinutes: 60 };
export const RESET_PER_CLIENT: ThrottleRule = { name: 'reset-client', limit: 20, windowMinutes: 60 };

const clientOf = (req: Request) => ipKeyGenerator(req.ip ?? '');

const loginPage = () => (req: Request, res: Response) => {
  if (req.user) return res.redirect(303, '/');
  render(res, 'accounts/login', { title: 'Log in', values: {}, errors: {}, next: safeNext(req.query.next) });
};

/** The login form as it comes back: the address typed (never the password) and where to go next. */
const loginForm: FormPage = {
  view: 'accounts/login',
  locals: (req) => ({ title: 'Log in', next: safeNext((req.body as Record<string, unknown>)?.next) }),
  values: (submitted) => ({ email: submitted.email ?? '' }),
};

const login = (ctx: AppContext, pp: () => passport.PassportStatic) => async (req: Request, res: Response, next: NextFunction) => {
  const form = parseForm(loginSchema, req.body);
  const nextUrl = safeNext((req.body as Record<string, unknown>)?.next);
  const values = { email: submittedValues(req.body).email ?? '' };
  const limits = [
    { rule: LOGIN_PER_ACCOUNT, subject: normalizeEmail(form.email) },
    { rule: LOGIN_PER_CLIENT, subject: clientOf(req) },
  ];
  if (await throttle.isBlocked(ctx.db, limits)) {
    const errors = { _form: 'Too many failed attempts. For your security, wait 15 minutes before trying again, or reset your password.' };
    return render(res, 'accounts/login', { title: 'Log in', values, errors, next: nextUrl }, 429);
  }
  pp().authenticate('local', (err: unknown, user: Express.User | false) => {
    if (err) return next(err);
    if (!user) {
      throttle
        .hit(ctx.db, limits)
        .then(
          () =>
            render(
              res,
              'accounts/login',
              { title: 'Log in', values, errors: { _form: 'That email and password do not match an account.' }, next: nextUrl },
              401,
            ),
          next,
        );
      return;
    }
    // passport regenerates the session id on login.
    req.logIn(user, (e) => (e ? next(e) : res.redirect(303, nextUrl)));
  })(req, res, next);
};

const logout = () => (req: Request, res: Response, next: NextFunction) => {
  req.logout((err) => {
    if (err) return next(err);
    req.session.destroy(() => {
      res.clearCookie('cc.sid');
      res.redirect(303, '/login');
    });
  });
};

/** The set-password form of an invitation or reset link; a link found expired or used on saving shows it closed (410). */
const setPasswordForm = (ctx: AppContext): FormPage => ({
  view: 'accounts/set-password',
  locals: async (req, _res, posted) => {
    const user = await accountsService.checkToken(ctx.db, String(req.params.token), ctx.clock.now());
    const open = !!user && !(posted?.error instanceof Expired);
    return { title: 'Set your password', valid: open, name: open ? user.name : '' };
  },
  values: () => ({}),
});

const setPasswordPage = (ctx: AppContext) => async (req: Request, res: Response) => {
  const user = await accountsService.checkToken(ctx.db, String(req.params.token), ctx.clock.now());
  render(res, 'accounts/set-password', { title: 'Set your password', valid: !!user, name: user?.name ?? '', errors: {} }, user ? 200 : 410);
};

const setPassword = (ctx: AppContext) => async (req: Request, res: Response, next: NextFunction) => {
  const token = String(req.params.token);
  const { password } = parseForm(passwordSchema, req.body);
  const user = await ctx.db.transaction().execute((trx) => accountsService.setPasswordWithToken(trx, token, password, ctx.clock.now()));
  req.logIn(accountsService.sessionUser(user), (e) => {
    if (e) return next(e);
    flash(res, 'Your password is set. Welcome!');
    res.redirect(303, '/');
  });
};

const forgotPage = () => (_req: Request, res: Response) =>
  render(res, 'accounts/forgot-password', { title: 'Reset your password', values: {}, errors: {}, sent: false });

const forgotForm: FormPage = { view: 'accounts/forgot-password', locals: () => ({ title: 'Reset your password', sent: false }) };

const forgot = (ctx: AppContext) => async (req: Request, res: Response) => {
  const form = parseForm(forgotSchema, req.body);
  const limits = [
    { rule: RESET_PER_ADDRESS, subject: normalizeEmail(form.email) },
    { rule: RESET_PER_CLIENT, subject: clientOf(req) },
  ];
  const blocked = await ctx.db.transaction().execute(async (trx) => {
    if (await throttle.isBlocked(trx, limits)) return true;
    await throttle.hit(trx, limits);
    await accountsService.requestPasswordReset(trx, form.email);
    return false;
  });
  if (blocked) {
    const errors = { _form: 'Too many reset requests. If an email is on its way, use the newest link in it; otherwise try again in an hour.' };
    return render(res, 'accounts/forgot-password', { title: 'Reset your password', values: submittedValues(req.body), errors, sent: false }, 429);
  }
  render(res, 'accounts/forgot-password', { title: 'Reset your password', values: {}, errors: {}, sent: true });
};

const settingsPage = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const row = await usersRepository.settingsOf(ctx.db, me.id);
  render(res, 'accounts/settings', {
    title: 'Your settings',
    values: {
      timeZone: row.time_zone,
      dateLanguage: row.date_language,
      meetingReminders: row.meeting_reminders ? 'on' : '',
      announcementEmails: row.announcement_emails ? 'on' : '',
      digestEmails: row.digest_emails ? 'on' : '',
      weeklyNudge: row.weekly_nudge ? 'on' : '',
      officeHoursReminders: row.meeting_reminders ? 'on' : '',
    },
    errors: {},
    zones: timeZoneChoices(),
    dateLanguages: dateLanguageChoices(),
    role: me.role,
  });
};

const settingsForm: FormPage = {
  view: 'accounts/settings',
  locals: (req) => ({
    title: 'Your settings',
    zones: timeZoneChoices(),
    dateLanguages: dateLanguageChoices(),
    role: currentUser(req).role,
  }),
};

/** The kinds of email each role's settings form shows (the columns it may change); the others are left as they are. */
function emailChoicesOf(role: Role, input: SettingsInput) {
  switch (role) {
    case 'student':
      return { meetingReminders: input.meetingReminders, announcementEmails: input.announcementEmails };
    case 'community':
      return { weeklyNudge: input.weeklyNudge, meetingReminders: input.officeHoursReminders };
    case 'instructor':
      return { digestEmails: input.digestEmails };
  }
}

const saveSettings = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const input = parseForm(settingsSchema, req.body);
  const kinds = emailChoicesOf(me.role, input);
  await ctx.db
    .transaction()
    .execute((trx) => usersRepository.updateSettings(trx, me.id, { timeZone: input.timeZone, dateLanguage: input.dateLanguage, ...kinds }));
  flash(res, 'Settings saved.');
  res.redirect(303, '/settings');
};

export function accountsRoutes(pp: () => passport.PassportStatic): RouteDef[] {
  return [
    { method: 'get', path: '/login', access: 'guest', handler: loginPage, summary: 'Login form' },
    { method: 'post', path: '/login', access: 'guest', handler: (ctx) => submitsTo(loginForm, login(ctx, pp)), summary: 'Log in' },
    { method: 'post', path: '/logout', access: 'authenticated', handler: logout, summary: 'Log out' },
    {
      method: 'get',
      path: '/set-password/:token',
      access: 'guest',
      secretUrl: true,
      handler: setPasswordPage,
      summary: 'Set password from an invitation or reset link',
    },
    {
      method: 'post',
      path: '/set-password/:token',
      access: 'guest',
      secretUrl: true,
      handler: (ctx) => submitsTo(setPasswordForm(ctx), setPassword(ctx)),
      summary: 'Set password',
    },
    { method: 'get', path: '/forgot-password', access: 'guest', handler: forgotPage, summary: 'Password reset request form' },
    {
      method: 'post',
      path: '/forgot-password',
      access: 'guest',
      handler: (ctx) => submitsTo(forgotForm, forgot(ctx)),
      summary: 'Request a password reset email',
    },
    {
      method: 'get',
      path: '/settings',
      access: 'authenticated',
      nav: { label: 'Settings', order: 910 },
      handler: settingsPage,
      summary: 'Time zone and reminder settings',
    },
    { method: 'post', path: '/settings', access: 'authenticated', handler: (ctx) => submitsTo(settingsForm, saveSettings(ctx)), summary: 'Save settings' },
  ];
}
