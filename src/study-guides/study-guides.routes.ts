import type { Request, Response } from 'express';
import { attachmentsService } from '../attachments/attachments.service';
import type { AppContext } from '../context';
import { currentUser } from '../http/auth';
import { parseForm, submittedValues } from '../http/forms';
import { flash, render } from '../http/render';
import type { RouteDef } from '../http/routing';
import { singleUpload } from '../http/uploads';
import { renderLessonPage } from '../lessons/lesson-page';
import { idParam } from '../http/params';
import { unitHeading } from '../course/units';
import { keepFormWhenTooLarge } from '../lessons/upload-form';
import { formatDateTime } from '../time';
import { studyGuideSchema } from './study-guides.schemas';
import { studyGuidesService } from './study-guides.service';

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

function guideHeading(guide: { edx_code: string; lesson_number: number | null; unit_title: string }) {
  return unitHeading({ edx_code: guide.edx_code, kind: 'lesson', lesson_number: guide.lesson_number, title: guide.unit_title });
}

const versionsPage = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const { guide, versions } = await studyGuidesService.versionsFor(ctx.db, me, idParam(req.params.guideId));
  render(res, 'study-guides/versions', {
    title: `Study guide versions · ${guideHeading(guide)}`,
    heading: guideHeading(guide),
    owner: guide.user_id === me.id ? null : guide.owner_name,
    deleted: guide.deleted_at !== null,
    lessonUrl: guide.user_id === me.id ? `/lessons/${guide.unit_id}#study-guide` : null,
    versions: versions.map((v) => ({
      no: v.version_no,
      savedAt: formatDateTime(v.created_at, me.timeZone),
      chars: Number(v.chars),
      attachment: v.attachment,
      url: `/study-guides/${guide.id}/versions/${v.version_no}`,
    })),
  });
};

const versionPage = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const { guide, version } = await studyGuidesService.versionFor(ctx.db, me, idParam(req.params.guideId), idParam(req.params.versionNo));
  render(res, 'study-guides/version', {
    title: `Study guide version ${version.version_no} · ${guideHeading(guide)}`,
    heading: guideHeading(guide),
    owner: guide.user_id === me.id ? null : guide.owner_name,
    version: { no: version.version_no, savedAt: formatDateTime(version.created_at, me.timeZone), body: version.body_md, attachment: version.attachment },
    versionsUrl: `/study-guides/${guide.id}/versions`,
  });
};

const student = ['student'] as const;

export const studyGuidesRoutes: RouteDef[] = [
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
  {
    method: 'get',
    path: '/study-guides/:guideId/versions',
    access: 'authenticated',
    handler: versionsPage,
    summary: 'A study guide’s versions (owner, instructor, peer assessor)',
  },
  { method: 'get', path: '/study-guides/:guideId/versions/:versionNo', access: 'authenticated', handler: versionPage, summary: 'One version of a study guide' },
];
