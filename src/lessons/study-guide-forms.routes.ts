import type { Request, Response } from 'express';
import { attachmentsService } from '../attachments/attachments.service';
import type { AppContext } from '../context';
import { currentUser } from '../http/auth';
import { parseForm, submittedValues } from '../http/forms';
import { idParam } from '../http/params';
import { flash } from '../http/render';
import type { RouteDef } from '../http/routing';
import { singleUpload } from '../http/uploads';
import { studyGuideSchema } from '../study-guides/study-guides.schemas';
import { studyGuidesService } from '../study-guides/study-guides.service';
import { renderLessonPage } from './lesson-page';
import { keepFormWhenTooLarge } from './upload-form';

/**
 * The study guide form on the lesson page: its handlers show the lesson page again on bad input,
 * so they sit with the lesson page (above study-guides, which must not import lessons). The
 * guide's versions pages stay in study-guides/.
 */
const saveGuide = (ctx: AppContext) => [
  ...singleUpload('guide_file', ctx.config.UPLOAD_MAX_BYTES),
  async (req: Request, res: Response) => {
    const me = currentUser(req);
    const unitId = idParam(req.params.unitId);
    const values = submittedValues(req.body);
    const form = parseForm(studyGuideSchema, req.body);
    if (!form.ok) return renderLessonPage(ctx, req, res, unitId, { errors: form.errors, values }, 422);
    const file = await attachmentsService.checkUpload(req.file, ctx.config.UPLOAD_MAX_BYTES);
    if (!file.ok) return renderLessonPage(ctx, req, res, unitId, { errors: { guide_file: file.message }, values }, 422);
    const overQuota = await attachmentsService.checkQuota(ctx.db, me.id, file.upload, ctx.config.UPLOAD_QUOTA_BYTES);
    if (overQuota) return renderLessonPage(ctx, req, res, unitId, { errors: { guide_file: overQuota }, values }, 413);
    const input = {
      student: me,
      unitId,
      body: form.data.guide_body,
      upload: file.upload,
      removeAttachment: form.data.remove_attachment,
      base: form.data.base_version,
      now: ctx.clock.now(),
    };
    const result = await ctx.db.transaction().execute((trx) => studyGuidesService.save(trx, input));
    if (!result.ok) return renderLessonPage(ctx, req, res, unitId, { errors: result.errors, values }, 422);
    flash(res, `Study guide saved (version ${result.versionNo}). Earlier versions stay readable.`);
    res.redirect(303, `/lessons/${unitId}#study-guide`);
  },
  keepFormWhenTooLarge(ctx, 'guide_file'),
];

const setDeleted = (deleted: boolean) => (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const unitId = idParam(req.params.unitId);
  await ctx.db.transaction().execute((trx) => studyGuidesService.setDeleted(trx, me, unitId, deleted, ctx.clock.now()));
  flash(res, deleted ? 'Study guide deleted. Its versions are kept: you can restore it.' : 'Study guide restored.');
  res.redirect(303, `/lessons/${unitId}#study-guide`);
};

const student = ['student'] as const;

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
