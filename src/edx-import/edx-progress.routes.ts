import type { Request, Response } from 'express';
import type { AppContext } from '../context';
import { currentUser } from '../http/auth';
import { submittedValues, type FieldErrors } from '../http/forms';
import { flash, render } from '../http/render';
import { idParam } from '../http/params';
import type { RouteDef } from '../http/routing';
import { edxMappingService } from './edx-mapping.service';
import { courseEdxPage, studentEdxPage } from './edx-progress';

/** The subsection mapping per edX course, the instructor's per-course edX progress table, and a
 * student's own edX progress. */
const courseIdOf = (req: Request): number => idParam(req.params.edxCourseId, 'There is no such edX course.');

async function renderMapping(ctx: AppContext, req: Request, res: Response, errors: FieldErrors = {}, values: Record<string, string> = {}) {
  const me = currentUser(req);
  const model = await edxMappingService.mappingPage(ctx.db, me.offeringId, courseIdOf(req));
  render(res, 'edx-import/mapping', { title: `edX columns · ${model.course.code}`, ...model, errors, values }, Object.keys(errors).length ? 422 : 200);
}

const mappingPage = (ctx: AppContext) => (req: Request, res: Response) => renderMapping(ctx, req, res);

const saveMapping = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const edxCourseId = courseIdOf(req);
  const saved = await ctx.db
    .transaction()
    .execute((trx) => edxMappingService.saveMapping(trx, { offeringId: me.offeringId, edxCourseId, body: req.body, by: me.id, now: ctx.clock.now() }));
  if (!saved.ok) return renderMapping(ctx, req, res, saved.errors, submittedValues(req.body));
  flash(
    res,
    saved.data
      ? `Mapping saved: ${saved.data === 1 ? '1 column' : `${saved.data} columns`} changed, and edX progress was recomputed.`
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
    handler: mappingPage,
    summary: 'Map an edX course’s report columns to units',
  },
  {
    method: 'post',
    path: '/instructor/edx-import/mapping/:edxCourseId',
    access: ['instructor'],
    handler: saveMapping,
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
