import type { Request, Response } from 'express';
import type { AppContext } from '../context';
import { courseRepository } from '../course/course.repository';
import { currentUser } from '../http/auth';
import { showForm, submitsTo, type FormPage } from '../http/form-page';
import { parseForm } from '../http/forms';
import { flash } from '../http/render';
import { idParam } from '../http/params';
import type { RouteDef } from '../http/routing';
import { cancelSchema, eventSchema, newEventSchema, refuseSkippedLocalTimes } from './events.schemas';
import { eventsService, type ChangeResult } from './events.service';

const eventIdOf = (req: Request): number => idParam(req.params.eventId, 'There is no such event.');

const NEW_EVENT_DEFAULTS = {
  kind: 'office_hours',
  title: 'Virtual office hours',
  on: '',
  starts: '',
  ends: '',
  location: '',
  videoUrl: '',
  description: '',
  required: '',
};

const listForm = (ctx: AppContext): FormPage => ({
  view: 'events/index',
  locals: async (req) => {
    const me = currentUser(req);
    const [events, offering] = await Promise.all([
      eventsService.list(ctx.db, me.offeringId, me.timeZone, ctx.clock.now()),
      courseRepository.offering(ctx.db, me.offeringId),
    ]);
    const upcoming = events.filter((e) => !e.past);
    const past = events.filter((e) => e.past);
    return { title: 'Office hours and events', upcoming, past, values: NEW_EVENT_DEFAULTS, courseZone: offering.time_zone };
  },
});

const addEvent = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const input = parseForm(newEventSchema, req.body);
  refuseSkippedLocalTimes(input, (await courseRepository.offering(ctx.db, me.offeringId)).time_zone);
  const e = await ctx.db.transaction().execute((trx) => eventsService.create(trx, me.offeringId, input, me.id, ctx.clock.now()));
  flash(res, `Added “${e.title}”. It is on every student's calendar and calendar feed.`);
  res.redirect(303, '/instructor/events');
};

const editForm = (ctx: AppContext): FormPage => ({
  view: 'events/edit',
  locals: async (req) => {
    const me = currentUser(req);
    const model = await eventsService.editModel(ctx.db, me.offeringId, eventIdOf(req), me.timeZone);
    return { title: `Change ${model.event.title}`, ...model };
  },
  // The kind of an event is not edited: the form shows the event's own.
  values: (submitted, locals) => ({ ...submitted, kind: (locals.event as { kind: string }).kind }),
});

/** The edit page for the cancel form on it: only the note's message, and the event's values with the note typed. */
const cancelForm = (ctx: AppContext): FormPage => ({
  ...editForm(ctx),
  values: (submitted, locals) => ({ ...(locals.values as Record<string, unknown>), cancelNote: submitted.note ?? '' }),
  errors: (_err, mapped) => ({ cancelNote: mapped.note ?? 'Check the note.' }),
});

function changeMessage(what: string, r: ChangeResult): string {
  const mail = r.emailed ? ` Emailed ${r.emailed === 1 ? '1 student' : `${r.emailed} students`} about it.` : '';
  return `${what} Calendars and calendar feeds show the change (update ${r.event.sequence}).${mail}`;
}

const saveEdit = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const eventId = eventIdOf(req);
  const current = await eventsService.editModel(ctx.db, me.offeringId, eventId, me.timeZone);
  const input = parseForm(eventSchema, { ...req.body, kind: current.event.kind });
  refuseSkippedLocalTimes(input, (await courseRepository.offering(ctx.db, me.offeringId)).time_zone);
  const r = await ctx.db.transaction().execute((trx) => eventsService.update(trx, me.offeringId, eventId, input, me.id, ctx.clock.now(), ctx.config.baseUrl));
  flash(res, changeMessage(`Saved “${r.event.title}”.`, r));
  res.redirect(303, '/instructor/events');
};

const cancelEvent = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const eventId = eventIdOf(req);
  const { note } = parseForm(cancelSchema, req.body);
  const r = await ctx.db.transaction().execute((trx) => eventsService.cancel(trx, me.offeringId, eventId, note, me.id, ctx.clock.now(), ctx.config.baseUrl));
  flash(res, changeMessage(`Cancelled “${r.event.title}”.`, r));
  res.redirect(303, '/instructor/events');
};

export const eventsRoutes: RouteDef[] = [
  {
    method: 'get',
    path: '/instructor/events',
    access: ['instructor'],
    nav: { label: 'Events', order: 130 },
    handler: (ctx) => showForm(listForm(ctx)),
    summary: 'Office hours and events: list and add',
  },
  {
    method: 'post',
    path: '/instructor/events',
    access: ['instructor'],
    handler: (ctx) => submitsTo(listForm(ctx), addEvent(ctx)),
    summary: 'Add office hours or an extra session',
  },
  {
    method: 'get',
    path: '/instructor/events/:eventId/edit',
    access: ['instructor'],
    handler: (ctx) => showForm(editForm(ctx)),
    summary: 'Move or change an event',
  },
  {
    method: 'post',
    path: '/instructor/events/:eventId/edit',
    access: ['instructor'],
    handler: (ctx) => submitsTo(editForm(ctx), saveEdit(ctx)),
    summary: 'Save a moved or changed event',
  },
  {
    method: 'post',
    path: '/instructor/events/:eventId/cancel',
    access: ['instructor'],
    handler: (ctx) => submitsTo(cancelForm(ctx), cancelEvent(ctx)),
    summary: 'Cancel an event (kept, marked cancelled)',
  },
];
