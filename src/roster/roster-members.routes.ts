import type { Request, Response } from 'express';
import type { AppContext } from '../context';
import { AppError, Invalid } from '../errors';
import { currentUser } from '../http/auth';
import { parseForm, submittedValues, type FieldErrors } from '../http/forms';
import { flash, render } from '../http/render';
import { idParam } from '../http/params';
import type { RouteDef } from '../http/routing';
import { timeZoneChoices } from '../time-zones';
import { studentEditSchema } from './roster-members.schemas';
import { rosterMembersService, type RosterAction } from './roster-members.service';

const userIdOf = (req: Request): number => idParam(req.params.userId, 'There is no such student on your roster.');

const studentUrl = (id: number) => `/instructor/roster/students/${id}`;

function action(ctx: AppContext): RosterAction {
  return { now: ctx.clock.now(), baseUrl: ctx.config.baseUrl, reminderOffsetsDays: ctx.config.reminderOffsetsDays };
}

async function renderStudent(ctx: AppContext, req: Request, res: Response, errors: FieldErrors = {}, values?: Record<string, string>, status = 200) {
  const me = currentUser(req);
  const model = await rosterMembersService.studentPage(ctx.db, me, userIdOf(req), me.timeZone, ctx.clock.now());
  const s = model.student;
  const shown = values ?? { name: s.name, email: s.email, section: String(s.sectionId ?? ''), timeZone: s.timeZone };
  render(
    res,
    'roster/student',
    { title: `${s.name} · Roster`, ...model, zones: timeZoneChoices(), errors, values: shown },
    Object.keys(errors).length ? status : 200,
  );
}

const studentPage = (ctx: AppContext) => async (req: Request, res: Response) => renderStudent(ctx, req, res);

const editStudent = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const userId = userIdOf(req);
  const values = submittedValues(req.body);
  const form = parseForm(studentEditSchema, req.body);
  if (!form.ok) return renderStudent(ctx, req, res, form.errors, values, 422);
  let result;
  try {
    result = await ctx.db.transaction().execute((trx) => rosterMembersService.edit(trx, me, userId, form.data, action(ctx)));
  } catch (err) {
    if (err instanceof Invalid) return renderStudent(ctx, req, res, { _form: err.message, ...err.fields }, values, 422);
    throw err;
  }
  const messages = [];
  if (result.changed.filter((c) => c !== 'email' && c !== 'email-requested').length) messages.push('Saved.');
  if (result.email === 'pending')
    messages.push(
      `A confirmation link went to ${form.data.email}; the student signs in with their current address until they use it. Their current address was told.`,
    );
  if (result.email === 'switched')
    messages.push(
      `The email address is now ${form.data.email}, and a new invitation went there (the student had not set a password yet). The old address was told.`,
    );
  flash(res, messages.length ? messages.join(' ') : 'Nothing changed.');
  res.redirect(303, studentUrl(userId));
};

/** A drop or re-enrollment refused (already dropped, already enrolled): the page again, with the reason. */
async function refusal(ctx: AppContext, req: Request, res: Response, err: unknown) {
  if (err instanceof AppError && err.status < 500 && err.status !== 404) return renderStudent(ctx, req, res, { _form: err.message }, undefined, err.status);
  throw err;
}

const dropStudent = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const userId = userIdOf(req);
  try {
    const r = await ctx.db.transaction().execute((trx) => rosterMembersService.drop(trx, me, userId, action(ctx)));
    flash(
      res,
      `${r.name} was dropped. Their work is kept; they can no longer sign in, their reminders were cancelled${r.teams ? `, they left ${r.teams} Team Practice team${r.teams === 1 ? '' : 's'}` : ''}${r.portfolios ? ` and peer assignments were updated for ${r.portfolios} portfolio${r.portfolios === 1 ? '' : 's'}` : ''}.`,
    );
  } catch (err) {
    return refusal(ctx, req, res, err);
  }
  res.redirect(303, studentUrl(userId));
};

const reEnrollStudent = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const userId = userIdOf(req);
  try {
    const r = await ctx.db.transaction().execute((trx) => rosterMembersService.reEnroll(trx, me, userId, action(ctx)));
    flash(
      res,
      `${r.name} is enrolled again from today.${r.invited ? ' A new invitation went to them.' : ' They can sign in again.'}${r.portfolios ? ` Peer assignments were updated for ${r.portfolios} portfolio${r.portfolios === 1 ? '' : 's'}.` : ''}`,
    );
  } catch (err) {
    return refusal(ctx, req, res, err);
  }
  res.redirect(303, studentUrl(userId));
};

export const rosterMembersRoutes: RouteDef[] = [
  {
    method: 'get',
    path: '/instructor/roster/students/:userId',
    access: ['instructor'],
    handler: studentPage,
    summary: 'One student: correct their details, drop or re-enroll them, and the audit log',
  },
  {
    method: 'post',
    path: '/instructor/roster/students/:userId',
    access: ['instructor'],
    handler: editStudent,
    summary: 'Correct a student’s name, email (confirmed by a link), section and time zone',
  },
  {
    method: 'post',
    path: '/instructor/roster/students/:userId/drop',
    access: ['instructor'],
    handler: dropStudent,
    summary: 'Drop a student (work kept; teams, peer pairs, reminders and sessions follow)',
  },
  {
    method: 'post',
    path: '/instructor/roster/students/:userId/re-enroll',
    access: ['instructor'],
    handler: reEnrollStudent,
    summary: 'Re-enroll a dropped student from today',
  },
];
