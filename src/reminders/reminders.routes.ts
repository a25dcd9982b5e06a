import crypto from 'node:crypto';
import type { Request, Response } from 'express';
import type { AppContext } from '../context';
import { NotFound } from '../errors';
import { currentUser } from '../http/auth';
import { showForm, submitsTo, type FormPage } from '../http/form-page';
import { parseForm } from '../http/forms';
import { flash, render } from '../http/render';
import type { RouteDef } from '../http/routing';
import { announcementsService } from './announcements';
import { digestEmailLog, KIND_LABELS, previewReminder, reminderLogPage } from './reminder-log.service';
import { announcementIdSchema, announcementSchema, reminderIdSchema, reminderListQuerySchema, type ReminderListQuery } from './reminders.schemas';

/** The instructor's reminder log (filter, page, preview) and announcements. */
function urlFor(query: ReminderListQuery) {
  return (changes: Partial<Record<'status' | 'kind' | 'page', string | number | null>>) => {
    const merged = { status: query.status, kind: query.kind, page: null, ...changes } as Record<string, string | number | null | undefined>;
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(merged)) if (v !== null && v !== undefined && v !== '' && !(k === 'page' && v === 1)) params.set(k, String(v));
    const qs = params.toString();
    return `/instructor/reminders${qs ? `?${qs}` : ''}`;
  };
}

const logPage = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const query = reminderListQuerySchema.parse(req.query);
  const [model, digests] = await Promise.all([
    reminderLogPage(ctx.db, me.offeringId, query, me.timeZone, ctx.clock.now()),
    digestEmailLog(ctx.db, me.id, me.timeZone, ctx.clock.now()),
  ]);
  const url = urlFor(query);
  const kinds = Object.entries(KIND_LABELS).map(([value, label]) => ({ value, label }));
  render(res, 'reminders/index', { title: 'Reminders', ...model, digests, url, kinds, offsets: ctx.config.reminderOffsetsDays });
};

const preview = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const params = reminderIdSchema.safeParse(req.params);
  if (!params.success) throw new NotFound('There is no such reminder in this course.');
  const model = await previewReminder(ctx.db, me.offeringId, params.data.reminderId, { baseUrl: ctx.config.baseUrl, now: ctx.clock.now(), zone: me.timeZone });
  render(res, 'reminders/preview', { title: `Reminder ${model.id} preview`, ...model });
};

async function announcementsModel(ctx: AppContext, me: Express.User) {
  const [audiences, recent] = await Promise.all([
    announcementsService.audiences(ctx.db, me.offeringId),
    announcementsService.recent(ctx.db, me.offeringId, me.timeZone),
  ]);
  return { title: 'Announcements', audiences, recent };
}

const announcementsForm = (ctx: AppContext): FormPage => ({
  view: 'reminders/announcements',
  locals: async (req) => ({
    ...(await announcementsModel(ctx, currentUser(req))),
    values: { audience: 'all', subject: '', body: '', nonce: crypto.randomUUID() },
  }),
});

const sendAnnouncement = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const input = parseForm(announcementSchema, req.body);
  // The announcements service refuses an audience that is not everyone or one of the course's sections.
  const result = await ctx.db
    .transaction()
    .execute((trx) =>
      announcementsService.send(trx, { ...input, offeringId: me.offeringId, senderId: me.id, now: ctx.clock.now(), baseUrl: ctx.config.baseUrl }),
    );
  if (!result.created) flash(res, 'That announcement was already sent; it was not sent again.', 'info');
  else flash(res, `Announcement queued for ${result.recipients} student${result.recipients === 1 ? '' : 's'}.`);
  res.redirect(303, '/instructor/announcements');
};

/** Announcements as pages, for the students and the instructor of the offering. */
const readerOf = (me: Express.User) => ({ userId: me.id, role: me.role, offeringId: me.offeringId, sectionId: me.sectionId, timeZone: me.timeZone });

const announcementList = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const announcements = await announcementsService.listFor(ctx.db, readerOf(me));
  render(res, 'reminders/announcement-list', { title: 'Announcements', announcements, zone: me.timeZone, canSend: me.role === 'instructor' });
};

const announcementPage = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const params = announcementIdSchema.safeParse(req.params);
  if (!params.success) throw new NotFound('There is no such announcement in this course.');
  const announcement = await announcementsService.oneFor(ctx.db, readerOf(me), params.data.announcementId);
  // Opening it marks it read in the inbox (the one write of this page, once per reader and announcement).
  await announcementsService.markRead(ctx.db, readerOf(me), announcement.id, ctx.clock.now());
  render(res, 'reminders/announcement', { title: announcement.subject, announcement, zone: me.timeZone });
};

export const remindersRoutes: RouteDef[] = [
  {
    method: 'get',
    path: '/instructor/reminders',
    access: ['instructor'],
    nav: { label: 'Reminders', order: 190 },
    handler: logPage,
    summary: 'Every reminder with its status and reason (filter, pages)',
  },
  {
    method: 'get',
    path: '/instructor/reminders/:reminderId/preview',
    access: ['instructor'],
    handler: preview,
    summary: 'A reminder as the student sees it (text and sandboxed HTML)',
  },
  {
    method: 'get',
    path: '/instructor/announcements',
    access: ['instructor'],
    nav: { label: 'Announcements', order: 200 },
    handler: (ctx) => showForm(announcementsForm(ctx)),
    summary: 'Announcement form and recent announcements',
  },
  {
    method: 'post',
    path: '/instructor/announcements',
    access: ['instructor'],
    handler: (ctx) => submitsTo(announcementsForm(ctx), sendAnnouncement(ctx)),
    summary: 'Email an announcement to everyone or a section',
  },
  {
    method: 'get',
    path: '/announcements',
    access: ['student', 'instructor'],
    handler: announcementList,
    summary: 'Announcements to you (your course, or your section), newest first',
  },
  {
    method: 'get',
    path: '/announcements/:announcementId',
    changesMenuCounts: true,
    access: ['student', 'instructor'],
    handler: announcementPage,
    summary: 'One announcement, its Markdown body sanitized',
  },
];
