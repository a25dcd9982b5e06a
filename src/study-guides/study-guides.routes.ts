import type { Request, Response } from 'express';
import type { AppContext } from '../context';
import { currentUser } from '../http/auth';
import { render } from '../http/render';
import type { RouteDef } from '../http/routing';
import { idParam } from '../http/params';
import { unitHeading } from '../course/units';
import { formatDateTime } from '../time';
import { studyGuidesService } from './study-guides.service';

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

export const studyGuidesRoutes: RouteDef[] = [
  {
    method: 'get',
    path: '/study-guides/:guideId/versions',
    access: 'authenticated',
    handler: versionsPage,
    summary: 'A study guide’s versions (owner, instructor, peer assessor)',
  },
  { method: 'get', path: '/study-guides/:guideId/versions/:versionNo', access: 'authenticated', handler: versionPage, summary: 'One version of a study guide' },
];
