import type { Request, Response } from 'express';
import { attachmentsRepository } from '../attachments/attachments.repository';
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
import { artifactSchema, joinTeamSchema, startTeamSchema } from './teams.schemas';
import { teamsService, type TeamResult } from './teams.service';

const back = (unitId: number) => `/lessons/${unitId}#team-practice`;

async function afterTeamChange(ctx: AppContext, req: Request, res: Response, unitId: number, result: TeamResult, message: (name: string) => string) {
  if (!result.ok) return renderLessonPage(ctx, req, res, unitId, { errors: result.errors, values: submittedValues(req.body) }, result.status);
  flash(res, message(result.teamName));
  res.redirect(303, back(unitId));
}

const startTeam = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const unitId = idParam(req.params.unitId);
  const form = parseForm(startTeamSchema, req.body);
  if (!form.ok) return renderLessonPage(ctx, req, res, unitId, { errors: form.errors, values: submittedValues(req.body) }, 422);
  const result = await ctx.db.transaction().execute((trx) => teamsService.startTeam(trx, me, unitId, form.data.team_name, ctx.clock.now()));
  await afterTeamChange(ctx, req, res, unitId, result, (name) => `You started the team “${name}”. Colleagues working on this lesson can now join it.`);
};

const joinTeam = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const unitId = idParam(req.params.unitId);
  const form = parseForm(joinTeamSchema, req.body);
  if (!form.ok) return renderLessonPage(ctx, req, res, unitId, { errors: { team: 'Choose a team to join.' } }, 422);
  const result = await ctx.db
    .transaction()
    .execute((trx) => teamsService.joinTeam(trx, me, unitId, form.data.team_id, ctx.config.TEAM_SIZE_CAP, ctx.clock.now()));
  await afterTeamChange(ctx, req, res, unitId, result, (name) => `You joined the team “${name}”.`);
};

const leaveTeam = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const unitId = idParam(req.params.unitId);
  await ctx.db.transaction().execute((trx) => teamsService.leaveTeam(trx, me, unitId, ctx.clock.now()));
  flash(res, 'You left the team. Its team artifact stays with the team; join or start another team for this lesson.');
  res.redirect(303, back(unitId));
};

const saveArtifact = (ctx: AppContext) => [
  ...singleUpload('artifact_file', ctx.config.UPLOAD_MAX_BYTES),
  async (req: Request, res: Response) => {
    const me = currentUser(req);
    const unitId = idParam(req.params.unitId);
    const values = submittedValues(req.body);
    const form = parseForm(artifactSchema, req.body);
    if (!form.ok) return renderLessonPage(ctx, req, res, unitId, { errors: form.errors, values }, 422);
    const file = await attachmentsService.checkUpload(req.file, ctx.config.UPLOAD_MAX_BYTES);
    if (!file.ok) return renderLessonPage(ctx, req, res, unitId, { errors: { artifact_file: file.message }, values }, 422);
    const overQuota = await attachmentsService.checkQuota(ctx.db, me.id, file.upload, ctx.config.UPLOAD_QUOTA_BYTES);
    if (overQuota) return renderLessonPage(ctx, req, res, unitId, { errors: { artifact_file: overQuota }, values }, 413);
    const input = {
      student: me,
      unitId,
      body: form.data.artifact_body,
      upload: file.upload,
      removeAttachment: form.data.remove_attachment,
      base: form.data.base_version,
      now: ctx.clock.now(),
    };
    const result = await ctx.db.transaction().execute((trx) => teamsService.saveArtifact(trx, input));
    if (!result.ok) return renderLessonPage(ctx, req, res, unitId, { errors: result.errors, values }, 422);
    flash(res, `Team artifact saved (version ${result.versionNo}). Your teammates see it on their lesson page and portfolio.`);
    res.redirect(303, back(unitId));
  },
  keepFormWhenTooLarge(ctx, 'artifact_file'),
];

/** Every version of a team's artifact, newest first: who saved what and when. */
const artifactHistory = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const { team, versions, members } = await teamsService.readableArtifact(ctx.db, me, idParam(req.params.teamId));
  const files = await attachmentsRepository.metaByIds(
    ctx.db,
    versions.flatMap((v) => (v.attachment_id ? [v.attachment_id] : [])),
  );
  const heading = unitHeading({ edx_code: team.edx_code, kind: 'lesson', lesson_number: team.lesson_number, title: team.unit_title });
  render(res, 'teams/artifact', {
    title: `Team artifact · ${team.name}`,
    teamName: team.name,
    heading,
    lessonUrl: me.role === 'student' && members.some((m) => m.user_id === me.id) ? back(team.unit_id) : null,
    members: members.map((m) => m.name),
    versions: versions.map((v) => ({
      no: v.version_no,
      uploader: v.uploader,
      savedAt: formatDateTime(v.created_at, me.timeZone),
      body: v.body_md,
      attachment: attachmentsService.attachmentView(v.attachment_id ? files.get(v.attachment_id) : null),
    })),
  });
};

const student = ['student'] as const;

export const teamsRoutes: RouteDef[] = [
  { method: 'post', path: '/lessons/:unitId/teams', access: student, handler: startTeam, summary: 'Start a Team Practice team for a lesson' },
  { method: 'post', path: '/lessons/:unitId/teams/join', access: student, handler: joinTeam, summary: 'Join a Team Practice team (capped at TEAM_SIZE_CAP)' },
  {
    method: 'post',
    path: '/lessons/:unitId/team-artifact',
    access: student,
    multipart: true,
    handler: saveArtifact,
    summary: 'Save a new version of your team’s artifact (text and/or file)',
  },
  { method: 'post', path: '/lessons/:unitId/teams/leave', access: student, handler: leaveTeam, summary: 'Leave your team for a lesson' },
  {
    method: 'get',
    path: '/teams/:teamId/artifact',
    access: 'authenticated',
    handler: artifactHistory,
    summary: 'A team artifact’s versions (members, instructor, peer assessors)',
  },
];
