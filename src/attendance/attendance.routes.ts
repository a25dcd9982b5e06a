import type { Request, Response } from 'express';
import type { AppContext } from '../context';
import { Invalid } from '../errors';
import { currentUser } from '../http/auth';
import { parseForm, submittedValues, type FieldErrors } from '../http/forms';
import { flash, render } from '../http/render';
import { idParam } from '../http/params';
import type { RouteDef } from '../http/routing';
import { absenceNoticeSchema, parseAttendanceSheet, sheetQuerySchema } from './attendance.schemas';
import { attendanceService } from './attendance.service';

const eventIdOf = (req: Request): number => idParam(req.params.eventId, 'There is no such campus meeting.');

function sheetUrl(eventId: number, page: number, sectionId: number | null): string {
  const q = new URLSearchParams();
  if (page > 1) q.set('page', String(page));
  if (sectionId) q.set('section', String(sectionId));
  const qs = q.toString();
  return `/instructor/attendance/${eventId}${qs ? `?${qs}` : ''}`;
}

const meetingsPage = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const meetings = await attendanceService.meetingList(ctx.db, me.offeringId, me.timeZone, ctx.clock.now());
  render(res, 'attendance/meetings', { title: 'Attendance', meetings });
};

async function renderSheet(ctx: AppContext, req: Request, res: Response, input: unknown, errors: FieldErrors = {}, values: Record<string, string> = {}) {
  const me = currentUser(req);
  const eventId = eventIdOf(req);
  const q = sheetQuerySchema.parse(input);
  const sheet = await attendanceService.sheet(ctx.db, me.offeringId, eventId, { page: q.page, sectionId: q.section }, me.timeZone, ctx.clock.now());
  const pageUrl = (page: number) => sheetUrl(eventId, page, sheet.sectionId);
  render(res, 'attendance/sheet', { title: `Attendance · ${sheet.meeting.title}`, ...sheet, pageUrl, errors, values }, Object.keys(errors).length ? 422 : 200);
}

const sheetPage = (ctx: AppContext) => async (req: Request, res: Response) => renderSheet(ctx, req, res, req.query);

const saveSheet = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const eventId = eventIdOf(req);
  const q = sheetQuerySchema.parse(req.body);
  const back = sheetUrl(eventId, q.page, q.section);
  if ((req.body as Record<string, unknown>)?.action === 'all-present') {
    const n = await ctx.db.transaction().execute((trx) => attendanceService.markAllPresent(trx, me.offeringId, eventId, me.id, ctx.clock.now()));
    flash(res, `Marked ${n === 1 ? '1 student' : `${n} students`} present. Now change anyone who was absent or excused, and save.`);
    return res.redirect(303, back);
  }
  const form = parseAttendanceSheet(req.body);
  if (!form.ok) return renderSheet(ctx, req, res, req.body, form.errors, submittedValues(req.body));
  const n = await ctx.db.transaction().execute((trx) => attendanceService.recordSheet(trx, me.offeringId, eventId, form.data, me.id, ctx.clock.now()));
  flash(res, n ? `Attendance saved (${n === 1 ? '1 change' : `${n} changes`}).` : 'Nothing changed.');
  res.redirect(303, back);
};

async function renderMine(ctx: AppContext, req: Request, res: Response, errors: FieldErrors = {}, values: Record<string, string> = {}) {
  const me = currentUser(req);
  const record = await attendanceService.studentRecord(ctx.db, me.offeringId, me.id, me.timeZone, ctx.clock.now());
  render(res, 'attendance/mine', { title: 'Your attendance', ...record, errors, values }, Object.keys(errors).length ? 422 : 200);
}

const myAttendance = (ctx: AppContext) => async (req: Request, res: Response) => renderMine(ctx, req, res);

const notifyAbsence = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const eventId = eventIdOf(req);
  const submitted = submittedValues(req.body);
  const values = { [`reason-${eventId}`]: submitted.reason ?? '' };
  const form = parseForm(absenceNoticeSchema, req.body);
  if (!form.ok) return renderMine(ctx, req, res, { [`reason-${eventId}`]: form.errors.reason ?? 'Check the reason.' }, values);
  try {
    await ctx.db.transaction().execute((trx) => attendanceService.notifyAbsence(trx, me.offeringId, eventId, me.id, form.data.reason, ctx.clock.now()));
  } catch (err) {
    if (err instanceof Invalid) return renderMine(ctx, req, res, { _form: err.message, ...err.fields }, values);
    throw err;
  }
  flash(res, 'Your instructor will see your notice when taking attendance.');
  res.redirect(303, `/attendance#meeting-${eventId}`);
};

export const attendanceRoutes: RouteDef[] = [
  {
    method: 'get',
    path: '/instructor/attendance',
    access: ['instructor'],
    nav: { label: 'Attendance', order: 120 },
    handler: meetingsPage,
    summary: 'Campus meetings and their attendance',
  },
  { method: 'get', path: '/instructor/attendance/:eventId', access: ['instructor'], handler: sheetPage, summary: 'Attendance sheet for one campus meeting' },
  {
    method: 'post',
    path: '/instructor/attendance/:eventId',
    access: ['instructor'],
    handler: saveSheet,
    summary: 'Record attendance (all present, or the sheet)',
  },
  {
    method: 'get',
    path: '/attendance',
    access: ['student'],
    nav: { label: 'Attendance', order: 140 },
    handler: myAttendance,
    summary: 'Your own attendance record and absence notices',
  },
  {
    method: 'post',
    path: '/attendance/:eventId/absence-notice',
    access: ['student'],
    handler: notifyAbsence,
    summary: 'Notify an expected absence in advance',
  },
];
