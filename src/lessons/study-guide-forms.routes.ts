import { LEARNERS } from '../roles';
import type { Request, Response } from 'express';
import { attachmentsService } from '../attachments/attachments.service';
import type { AppContext } from '../context';
import { currentUser } from '../http/auth';
import { submitsTo } from '../http/form-page';
import { parseForm } from '../http/forms';
import { idParam } from '../http/params';
import { flash } from '../http/render';
import type { RouteDef } from '../http/routing';
import { singleUpload } from '../http/uploads';
import { studyGuideSchema } from '../study-guides/study-guides.schemas';
import { studyGuidesService } from '../study-guides/study-guides.service';
import { lessonFormPage } from './lesson-page';

/**
 * The study guide form on the lesson page: bad input (a too large or refused file included) shows
 * the lesson page again (lessonFormPage),
 * so they sit with the lesson page (above study-guides, which must not import lessons). The
 * guide's versions pages stay in study-guides/.
 */
const saveGuide = (ctx: AppContext) =>
  submitsTo(lessonFormPage(ctx, { body: 'guide_body', file: 'guide_file' }), [
    ...singleUpload('guide_file', ctx.config.UPLOAD_MAX_BYTES),
    async (req: Request, res: Response) => {
      const me = currentUser(req);
      const unitId = idParam(req.params.unitId);
      const form = parseForm(studyGuideSchema, req.body);
      const upload = await attachmentsService.checkUpload(req.file, ctx.config.UPLOAD_MAX_BYTES);
      await attachmentsService.checkQuota(ctx.db, me.id, upload, ctx.config.UPLOAD_QUOTA_BYTES);
      const input = {
        student: me,
        unitId,
        body: form.guide_body,
        upload,
        removeAttachment: form.remove_attachment,
        base: form.base_version,
        now: ctx.clock.now(),
      };
      const result = await ctx.db.transaction().execute((trx) => studyGuidesService.save(trx, input));
      flash(res, `Study guide saved (version ${result.versionNo}). Earlier versions stay readable.`);
      res.redirect(303, `/lessons/${unitId}#study-guide`);
    },
  ]);

const setDeleted = (deleted: boolean) => (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const unitId = idParam(req.params.unitId);
  await ctx.db.transaction().execute((trx) => studyGuidesService.setDeleted(trx, me, unitId, deleted, ctx.clock.now()));
  flash(res, deleted ? 'Study guide deleted. Its versions are kept: you can restore it.' : 'Study guide restored.');
  res.redirect(303, `/lessons/${unitId}#study-guide`);
};

/** Study guides are every learner's: campus students and community learners alike. */
const student = LEARNERS;

export const studyGuideFormRoutes: RouteDef[] = [
  {
    method: 'post',
    path: '/lessons/:unitId/study-guide',
    access: student,
    multipart: true,
    handler: saveGuide,
    summary: 'Save your study guide (a new version each time; optional file)',
  },
  {
    method: 'post',
    path: '/lessons/:unitId/study-guide/delete',
    access: student,
    handler: setDeleted(true),
    summary: 'Delete your study guide (soft: versions are kept)',
  },
  { method: 'post', path: '/lessons/:unitId/study-guide/restore', access: student, handler: setDeleted(false), summary: 'Restore your deleted study guide' },
];
