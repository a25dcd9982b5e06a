import type { Request, Response } from 'express';
import type { AppContext } from '../context';
import { currentUser } from '../http/auth';
import { showForm, submitsTo, type FormPage } from '../http/form-page';
import { firstString } from '../http/forms';
import { flash, render } from '../http/render';
import { idParam } from '../http/params';
import type { RouteDef } from '../http/routing';
import { edxMappingService } from './edx-mapping.service';
import { courseEdxPage, studentEdxPage } from './edx-progress';

/** The subsection mapping per edX course, the instructor's per-course edX progress table, and a
 * student's own edX progress. */
const courseIdOf = (req: Request): number => idParam(req.params.edxCourseId, 'There is no such edX course.');

/** The form's select for a column's unit. */
const unitField = (mapId: number) => `unit-${mapId}`;

const mappingForm = (ctx: AppContext): FormPage => ({
  view: 'edx-import/mapping',
  locals: async (req) => {
    const me = currentUser(req);
    const model = await edxMappingService.mappingPage(ctx.db, me.offeringId, courseIdOf(req));
    // Each column's select is named `unit-<mapId>`.
    const columns = model.columns.map((c) => ({ ...c, field: unitField(c.id) }));
    return { title: `edX columns · ${model.course.code}`, ...model, columns, values: {} };
  },
  // The service names a column's choice `column-<mapId>`; the form's select is `unit-<mapId>`.
  fields: (field) => (field.startsWith('column-') ? unitField(Number(field.slice('column-'.length))) : field),
});

const saveMapping = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const edxCourseId = courseIdOf(req);
  const body = (req.body ?? {}) as Record<string, unknown>;
  const unitOf = (mapId: number) => firstString(body[unitField(mapId)]);
  const changed = await ctx.db
    .transaction()
    .execute((trx) => edxMappingService.saveMapping(trx, { offeringId: me.offeringId, edxCourseId, unitOf, by: me.id, now: ctx.clock.now() }));
  flash(
    res,
    changed
      ? `Mapping saved: ${changed === 1 ? '1 column' : `${changed} columns`} changed, and edX progress was recomputed.`
      : 'Mapping saved. Nothing changed.',
  );
  res.redirect(303, `/instructor/edx-import/mapping/${edxCourseId}`);
};

const courseProgress = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const model = await courseEdxPage(ctx.db, me.offeringId, courseIdOf(req), me.timeZone);
  render(res, 'edx-import/progress', { title: `edX progress · ${model.course.code}`, ...model });
};

const myProgress = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  render(res, 'edx-import/mine', { title: 'Your edX progress', ...(await studentEdxPage(ctx.db, me.offeringId, me.id, me.timeZone)) });
};

export const edxProgressRoutes: RouteDef[] = [
  {
    method: 'get',
    path: '/instructor/edx-import/mapping/:edxCourseId',
    access: ['instructor'],
    handler: (ctx) => showForm(mappingForm(ctx)),
    summary: 'Map an edX course’s report columns to units',
  },
  {
    method: 'post',
    path: '/instructor/edx-import/mapping/:edxCourseId',
    access: ['instructor'],
    handler: (ctx) => submitsTo(mappingForm(ctx), saveMapping(ctx)),
    summary: 'Save the column mapping (recomputes edX progress)',
  },
  {
    method: 'get',
    path: '/instructor/edx-import/progress/:edxCourseId',
    access: ['instructor'],
    handler: courseProgress,
    summary: 'edX progress per student and unit, beside components done',
  },
  {
    method: 'get',
    path: '/progress/edx',
    access: ['student'],
    nav: { label: 'edX progress', order: 100 },
    handler: myProgress,
    summary: 'Your edX progress per unit, beside your components done',
  },
];
