import type { Request, Response } from 'express';
import type { AppContext } from '../context';
import { currentUser } from '../http/auth';
import { showForm, submitsTo, type FormPage } from '../http/form-page';
import { parseForm } from '../http/forms';
import { flash } from '../http/render';
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

/** The student's page; a refused edit, drop or re-enrollment shows it again with the service's message above the form. */
const studentForm = (ctx: AppContext): FormPage => ({
  view: 'roster/student',
  locals: async (req) => {
    const me = currentUser(req);
    const model = await rosterMembersService.studentPage(ctx.db, me, userIdOf(req), me.timeZone, ctx.clock.now());
    const s = model.student;
    const values = { name: s.name, email: s.email, section: String(s.sectionId ?? ''), timeZone: s.timeZone };
    return { title: `${s.name} · Roster`, ...model, zones: timeZoneChoices(), values };
  },
  summary: true,
});

/** The drop and re-enroll buttons send no fields: the page keeps the student's details in the form. */
const studentButtons = (ctx: AppContext): FormPage => ({ ...studentForm(ctx), values: (_submitted, locals) => locals.values as Record<string, unknown> });

const editStudent = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const userId = userIdOf(req);
  const input = parseForm(studentEditSchema, req.body);
  const result = await ctx.db.transaction().execute((trx) => rosterMembersService.edit(trx, me, userId, input, action(ctx)));
  const messages = [];
  if (result.changed.filter((c) => c !== 'email' && c !== 'email-requested').length) messages.push('Saved.');
  if (result.email === 'pending')
    messages.push(
      `A confirmation link went to ${input.email}; the student signs in with their current address until they use it. Their current address was told.`,
    );
  if (result.email === 'switched')
    messages.push(
      `The email address is now ${input.email}, and a new invitation went there (the student had not set a password yet). The old address was told.`,
    );
  flash(res, messages.length ? messages.join(' ') : 'Nothing changed.');
  res.redirect(303, studentUrl(userId));
};

const dropStudent = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const userId = userIdOf(req);
  const r = await ctx.db.transaction().execute((trx) => rosterMembersService.drop(trx, me, userId, action(ctx)));
  flash(
    res,
    `${r.name} was dropped. Their work is kept; they can no longer sign in, their reminders were cancelled${r.teams ? `, they left ${r.teams} Team Practice team${r.teams === 1 ? '' : 's'}` : ''}${r.portfolios ? ` and peer assignments were updated for ${r.portfolios} portfolio${r.portfolios === 1 ? '' : 's'}` : ''}.`,
  );
  res.redirect(303, studentUrl(userId));
};

const reEnrollStudent = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const userId = userIdOf(req);
  const r = await ctx.db.transaction().execute((trx) => rosterMembersService.reEnroll(trx, me, userId, action(ctx)));
  flash(
    res,
    `${r.name} is enrolled again from today.${r.invited ? ' A new invitation went to them.' : ' They can sign in again.'}${r.portfolios ? ` Peer assignments were updated for ${r.portfolios} portfolio${r.portfolios === 1 ? '' : 's'}.` : ''}`,
  );
  res.redirect(303, studentUrl(userId));
};

const retryEmail = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const userId = userIdOf(req);
  const r = await ctx.db.transaction().execute((trx) => rosterMembersService.retryEmail(trx, me, userId, action(ctx)));
  flash(res, `${r.email} is no longer marked undeliverable: the next email to ${r.name} will be attempted.`);
  res.redirect(303, studentUrl(userId));
};

export const rosterMembersRoutes: RouteDef[] = [
  {
    method: 'get',
    path: '/instructor/roster/students/:userId',
    access: ['instructor'],
    handler: (ctx) => showForm(studentForm(ctx)),
    summary: 'One student: correct their details, drop or re-enroll them, and the audit log',
  },
  {
    method: 'post',
    path: '/instructor/roster/students/:userId',
    access: ['instructor'],
    handler: (ctx) => submitsTo(studentForm(ctx), editStudent(ctx)),
    summary: 'Correct a student’s name, email (confirmed by a link), section and time zone',
  },
  {
    method: 'post',
    path: '/instructor/roster/students/:userId/drop',
    access: ['instructor'],
    handler: (ctx) => submitsTo(studentButtons(ctx), dropStudent(ctx)),
    summary: 'Drop a student (work kept; teams, peer pairs, reminders and sessions follow)',
  },
  {
    method: 'post',
    path: '/instructor/roster/students/:userId/re-enroll',
    access: ['instructor'],
    handler: (ctx) => submitsTo(studentButtons(ctx), reEnrollStudent(ctx)),
    summary: 'Re-enroll a dropped student from today',
  },
  {
    method: 'post',
    path: '/instructor/roster/students/:userId/retry-email',
    access: ['instructor'],
    handler: (ctx) => submitsTo(studentButtons(ctx), retryEmail(ctx)),
    summary: 'Clear a student’s “Email undeliverable” mark so the next email to them is attempted again',
  },
];
