import type { Request, Response } from 'express';
import type { AppContext } from '../context';
import { currentUser } from '../http/auth';
import { showForm, submitsTo, type FormPage } from '../http/form-page';
import { BadForm, parseForm } from '../http/forms';
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

const sheetForm = (ctx: AppContext): FormPage => ({
  view: 'attendance/sheet',
  locals: async (req, _res, posted) => {
    const me = currentUser(req);
    const eventId = eventIdOf(req);
    // The sheet's page and section: from the address, or from the form when it comes back.
    const q = sheetQuerySchema.parse(posted ? req.body : req.query);
    const sheet = await attendanceService.sheet(ctx.db, me.offeringId, eventId, { page: q.page, sectionId: q.section }, me.timeZone, ctx.clock.now());
    const pageUrl = (page: number) => sheetUrl(eventId, page, sheet.sectionId);
    return { title: `Attendance · ${sheet.meeting.title}`, ...sheet, pageUrl, values: {} };
  },
});

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
  const entries = parseAttendanceSheet(req.body);
  const n = await ctx.db.transaction().execute((trx) => attendanceService.recordSheet(trx, me.offeringId, eventId, entries, me.id, ctx.clock.now()));
  flash(res, n ? `Attendance saved (${n === 1 ? '1 change' : `${n} changes`}).` : 'Nothing changed.');
  res.redirect(303, back);
};

const mineForm = (ctx: AppContext): FormPage => ({
  view: 'attendance/mine',
  locals: async (req) => {
    const me = currentUser(req);
    const record = await attendanceService.studentRecord(ctx.db, me.offeringId, me.id, me.timeZone, ctx.clock.now());
    return { title: 'Your attendance', ...record, values: {} };
  },
  // Each upcoming meeting has its own notice form: the reason field is named by the meeting.
  fields: (field, req) => (field === 'reason' ? `reason-${eventIdOf(req)}` : field),
  values: (submitted, _locals, req) => ({ [`reason-${eventIdOf(req)}`]: submitted.reason ?? '' }),
  errors: (err, mapped, req) => {
    const reason = `reason-${eventIdOf(req)}`;
    return err instanceof BadForm ? { [reason]: mapped[reason] ?? 'Check the reason.' } : { _form: err.message, ...mapped };
  },
});

const notifyAbsence = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const eventId = eventIdOf(req);
  const { reason } = parseForm(absenceNoticeSchema, req.body);
  await ctx.db.transaction().execute((trx) => attendanceService.notifyAbsence(trx, me.offeringId, eventId, me.id, reason, ctx.clock.now()));
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
  {
    method: 'get',
    path: '/instructor/attendance/:eventId',
    access: ['instructor'],
    handler: (ctx) => showForm(sheetForm(ctx)),
    summary: 'Attendance sheet for one campus meeting',
  },
  {
    method: 'post',
    path: '/instructor/attendance/:eventId',
    access: ['instructor'],
    handler: (ctx) => submitsTo(sheetForm(ctx), saveSheet(ctx)),
    summary: 'Record attendance (all present, or the sheet)',
  },
  {
    method: 'get',
    path: '/attendance',
    access: ['student'],
    nav: { label: 'Attendance', order: 140 },
    handler: (ctx) => showForm(mineForm(ctx)),
    summary: 'Your own attendance record and absence notices',
  },
  {
    method: 'post',
    path: '/attendance/:eventId/absence-notice',
    access: ['student'],
    handler: (ctx) => submitsTo(mineForm(ctx), notifyAbsence(ctx)),
    summary: 'Notify an expected absence in advance',
  },
];
