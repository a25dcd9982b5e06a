import type { Request, Response } from 'express';
import type { AppContext } from '../context';
import { courseRepository } from '../course/course.repository';
import { currentUser } from '../http/auth';
import { parseForm, submittedValues, type FieldErrors } from '../http/forms';
import { flash, render } from '../http/render';
import { idParam } from '../http/params';
import type { RouteDef } from '../http/routing';
import { cancelSchema, eventSchema, newEventSchema, skippedLocalTimes } from './events.schemas';
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

async function renderList(ctx: AppContext, req: Request, res: Response, values: Record<string, string> = NEW_EVENT_DEFAULTS, errors: FieldErrors = {}) {
  const me = currentUser(req);
  const [events, offering] = await Promise.all([
    eventsService.list(ctx.db, me.offeringId, me.timeZone, ctx.clock.now()),
    courseRepository.offering(ctx.db, me.offeringId),
  ]);
  const upcoming = events.filter((e) => !e.past);
  const past = events.filter((e) => e.past);
  render(
    res,
    'events/index',
    { title: 'Office hours and events', upcoming, past, values, errors, courseZone: offering.time_zone },
    Object.keys(errors).length ? 422 : 200,
  );
}

const listPage = (ctx: AppContext) => async (req: Request, res: Response) => renderList(ctx, req, res);

const addEvent = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const form = parseForm(newEventSchema, req.body);
  if (!form.ok) return renderList(ctx, req, res, submittedValues(req.body), form.errors);
  const skipped = skippedLocalTimes(form.data, (await courseRepository.offering(ctx.db, me.offeringId)).time_zone);
  if (Object.keys(skipped).length) return renderList(ctx, req, res, submittedValues(req.body), skipped);
  const e = await ctx.db.transaction().execute((trx) => eventsService.create(trx, me.offeringId, form.data, me.id, ctx.clock.now()));
  flash(res, `Added “${e.title}”. It is on every student's calendar and calendar feed.`);
  res.redirect(303, '/instructor/events');
};

async function renderEdit(ctx: AppContext, req: Request, res: Response, posted?: { values: Record<string, string>; errors: FieldErrors }) {
  const me = currentUser(req);
  const model = await eventsService.editModel(ctx.db, me.offeringId, eventIdOf(req), me.timeZone);
  render(
    res,
    'events/edit',
    { title: `Change ${model.event.title}`, ...model, values: posted?.values ?? model.values, errors: posted?.errors ?? {} },
    posted ? 422 : 200,
  );
}

const editPage = (ctx: AppContext) => async (req: Request, res: Response) => renderEdit(ctx, req, res);

function changeMessage(what: string, r: ChangeResult): string {
  const mail = r.emailed ? ` Emailed ${r.emailed === 1 ? '1 student' : `${r.emailed} students`} about it.` : '';
  return `${what} Calendars and calendar feeds show the change (update ${r.event.sequence}).${mail}`;
}

const saveEdit = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const eventId = eventIdOf(req);
  const current = await eventsService.editModel(ctx.db, me.offeringId, eventId, me.timeZone);
  const form = parseForm(eventSchema, { ...req.body, kind: current.event.kind });
  if (!form.ok) return renderEdit(ctx, req, res, { values: { ...submittedValues(req.body), kind: current.event.kind }, errors: form.errors });
  const skipped = skippedLocalTimes(form.data, (await courseRepository.offering(ctx.db, me.offeringId)).time_zone);
  if (Object.keys(skipped).length) return renderEdit(ctx, req, res, { values: { ...submittedValues(req.body), kind: current.event.kind }, errors: skipped });
  const r = await ctx.db
    .transaction()
    .execute((trx) => eventsService.update(trx, me.offeringId, eventId, form.data, me.id, ctx.clock.now(), ctx.config.baseUrl));
  flash(res, changeMessage(`Saved “${r.event.title}”.`, r));
  res.redirect(303, '/instructor/events');
};

const cancelEvent = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const eventId = eventIdOf(req);
  const form = parseForm(cancelSchema, req.body);
  if (!form.ok) {
    const { values } = await eventsService.editModel(ctx.db, me.offeringId, eventId, me.timeZone);
    return renderEdit(ctx, req, res, {
      values: { ...values, cancelNote: submittedValues(req.body).note ?? '' },
      errors: { cancelNote: form.errors.note ?? 'Check the note.' },
    });
  }
  const r = await ctx.db
    .transaction()
    .execute((trx) => eventsService.cancel(trx, me.offeringId, eventId, form.data.note, me.id, ctx.clock.now(), ctx.config.baseUrl));
  flash(res, changeMessage(`Cancelled “${r.event.title}”.`, r));
  res.redirect(303, '/instructor/events');
};

export const eventsRoutes: RouteDef[] = [
  {
    method: 'get',
    path: '/instructor/events',
    access: ['instructor'],
    nav: { label: 'Events', order: 130 },
    handler: listPage,
    summary: 'Office hours and events: list and add',
  },
  { method: 'post', path: '/instructor/events', access: ['instructor'], handler: addEvent, summary: 'Add office hours or an extra session' },
  { method: 'get', path: '/instructor/events/:eventId/edit', access: ['instructor'], handler: editPage, summary: 'Move or change an event' },
  { method: 'post', path: '/instructor/events/:eventId/edit', access: ['instructor'], handler: saveEdit, summary: 'Save a moved or changed event' },
  {
    method: 'post',
    path: '/instructor/events/:eventId/cancel',
    access: ['instructor'],
    handler: cancelEvent,
    summary: 'Cancel an event (kept, marked cancelled)',
  },
];
