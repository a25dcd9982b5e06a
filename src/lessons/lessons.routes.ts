import { isLearner, LEARNERS } from '../roles';
import type { Request, Response } from 'express';
import type { z } from 'zod';
import type { AppContext } from '../context';
import { currentUser } from '../http/auth';
import { submitsTo } from '../http/form-page';
import { parseForm } from '../http/forms';
import { flash, render } from '../http/render';
import type { RouteDef } from '../http/routing';
import { lessonFormPage, lessonPageModel, renderLessonPage } from './lesson-page';
import { idParam } from '../http/params';
import { celebrateSchema, componentToggleSchema, enrichmentSchema, learningCheckSchema, noteSchema } from './lessons.schemas';
import { lessonsService } from './lessons.service';

const lessonIndex = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const courses = await lessonsService.lessonIndex(ctx.db, me.offeringId, isLearner(me.role) ? me.id : null);
  render(res, 'lessons/index', { title: 'Lessons', courses, isStudent: isLearner(me.role) });
};

const lessonPage = (ctx: AppContext) => async (req: Request, res: Response) => {
  await renderLessonPage(ctx, req, res, idParam(req.params.unitId), { editGuide: req.query.edit === 'study-guide' });
};

/** The instructor's read-only view of one student's work on a unit. */
const studentLessonPage = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const model = await lessonPageModel(ctx, me, idParam(req.params.unitId), { subjectId: idParam(req.params.userId) });
  render(res, 'lessons/show', { ...model, title: `${model.mode.readOnlyStudent}: ${model.title}` });
};

const toggleComponent = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const unitId = idParam(req.params.unitId);
  const componentId = idParam(req.params.componentId);
  const done = parseForm(componentToggleSchema, req.body).done === '1';
  const component = await ctx.db.transaction().execute((trx) => lessonsService.setComponentDone(trx, me, unitId, componentId, done, ctx.clock.now()));
  flash(res, `${component.name}: marked ${done ? 'done' : 'not done'}.`);
  res.redirect(303, `/lessons/${unitId}#component-${component.slug}`);
};

/** A lesson-page form: parse, save and go back (bad input shows the lesson page again: lessonFormPage). */
function lessonForm<S extends z.ZodType>(
  schema: S,
  save: (ctx: AppContext, me: Express.User, unitId: number, data: z.infer<S>) => Promise<unknown>,
  done: { message: string; anchor: string },
) {
  return (ctx: AppContext) =>
    submitsTo(lessonFormPage(ctx), async (req: Request, res: Response) => {
      const me = currentUser(req);
      const unitId = idParam(req.params.unitId);
      await save(ctx, me, unitId, parseForm(schema, req.body));
      flash(res, done.message);
      res.redirect(303, `/lessons/${unitId}#${done.anchor}`);
    });
}

const saveLearningCheck = lessonForm(
  learningCheckSchema,
  (ctx, me, unitId, d) =>
    ctx.db.transaction().execute((trx) => lessonsService.saveLearningCheck(trx, me, unitId, { ...d, base: d.base_version }, ctx.clock.now())),
  { message: 'Learning Check saved.', anchor: 'learning-check' },
);

const saveNote = lessonForm(
  noteSchema,
  (ctx, me, unitId, d) => ctx.db.transaction().execute((trx) => lessonsService.saveNote(trx, me, unitId, d.note_body, ctx.clock.now())),
  { message: 'Your note is saved.', anchor: 'clarification' },
);

const addEnrichment = lessonForm(
  enrichmentSchema,
  (ctx, me, unitId, d) =>
    ctx.db
      .transaction()
      .execute((trx) =>
        lessonsService.addEnrichment(
          trx,
          me,
          unitId,
          { kind: d.enrichment_kind, title: d.enrichment_title, url: d.enrichment_url, citation: d.enrichment_citation },
          ctx.clock.now(),
        ),
      ),
  { message: 'Added to your Enrichment log.', anchor: 'enrichment' },
);

const shareCelebration = lessonForm(
  celebrateSchema,
  (ctx, me, unitId, d) => ctx.db.transaction().execute((trx) => lessonsService.shareCelebration(trx, me, unitId, d.celebrate_body, ctx.clock.now())),
  { message: 'Shared with your classmates.', anchor: 'celebrate-success' },
);

const removeEnrichment = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const unitId = idParam(req.params.unitId);
  const entryId = idParam(req.params.entryId);
  await ctx.db.transaction().execute((trx) => lessonsService.removeEnrichment(trx, me, unitId, entryId, ctx.clock.now()));
  flash(res, 'Removed from your Enrichment log.');
  res.redirect(303, `/lessons/${unitId}#enrichment`);
};

const removeShare = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const unitId = idParam(req.params.unitId);
  const shareId = idParam(req.params.shareId);
  await ctx.db.transaction().execute((trx) => lessonsService.removeShare(trx, me, unitId, shareId, ctx.clock.now()));
  flash(res, 'Your share was removed.');
  res.redirect(303, `/lessons/${unitId}#celebrate-success`);
};

const moderateShare = (hide: boolean) => (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const unitId = idParam(req.params.unitId);
  const shareId = idParam(req.params.shareId);
  await ctx.db.transaction().execute((trx) => lessonsService.moderateShare(trx, me, unitId, shareId, hide, ctx.clock.now()));
  flash(res, hide ? 'The share is hidden from students.' : 'The share is visible to students again.');
  res.redirect(303, `/lessons/${unitId}#celebrate-success`);
};

/** A lesson's own work (components, notes, explorations, Celebrate Success) is every learner's. */
const student = LEARNERS;
const instructor = ['instructor'] as const;

export const lessonsRoutes: RouteDef[] = [
  {
    method: 'get',
    path: '/lessons',
    access: 'authenticated',
    nav: { label: 'Lessons', order: 30 },
    handler: lessonIndex,
    summary: 'Both edX courses’ units with your components done',
  },
  { method: 'get', path: '/lessons/:unitId', access: 'authenticated', handler: lessonPage, summary: 'A lesson: its seven components and your work' },
  {
    method: 'post',
    path: '/lessons/:unitId/components/:componentId',
    access: student,
    handler: (ctx) => submitsTo(lessonFormPage(ctx), toggleComponent(ctx)),
    summary: 'Mark a lesson component done or not done',
  },
  {
    method: 'post',
    path: '/lessons/:unitId/learning-check',
    access: student,
    handler: saveLearningCheck,
    summary: 'Save your Learning Check (a new response each time)',
  },
  { method: 'post', path: '/lessons/:unitId/note', access: student, handler: saveNote, summary: 'Save your private Clarification / Community Engagement note' },
  { method: 'post', path: '/lessons/:unitId/enrichment', access: student, handler: addEnrichment, summary: 'Log a web exploration or reference' },
  {
    method: 'post',
    path: '/lessons/:unitId/enrichment/:entryId/delete',
    access: student,
    handler: removeEnrichment,
    summary: 'Remove an Enrichment entry (soft delete)',
  },
  { method: 'post', path: '/lessons/:unitId/celebrate', access: student, handler: shareCelebration, summary: 'Share how you unwind (Celebrate Success)' },
  { method: 'post', path: '/lessons/:unitId/celebrate/:shareId/delete', access: student, handler: removeShare, summary: 'Remove your Celebrate Success share' },
  {
    method: 'post',
    path: '/lessons/:unitId/celebrate/:shareId/hide',
    access: instructor,
    handler: moderateShare(true),
    summary: 'Hide a Celebrate Success share (moderation)',
  },
  {
    method: 'post',
    path: '/lessons/:unitId/celebrate/:shareId/show',
    access: instructor,
    handler: moderateShare(false),
    summary: 'Show a hidden Celebrate Success share again',
  },
  {
    method: 'get',
    path: '/instructor/students/:userId/lessons/:unitId',
    access: instructor,
    handler: studentLessonPage,
    summary: 'A student’s lesson work, read-only',
  },
];
