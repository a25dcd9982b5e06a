import type { Request, Response } from 'express';
import { attachmentsService } from '../attachments/attachments.service';
import type { AppContext } from '../context';
import { currentUser } from '../http/auth';
import { parseForm, submittedValues } from '../http/forms';
import { idParam } from '../http/params';
import { flash } from '../http/render';
import type { RouteDef } from '../http/routing';
import { singleUpload } from '../http/uploads';
import { artifactSchema, joinTeamSchema, startTeamSchema } from '../teams/teams.schemas';
import { teamsService, type TeamResult } from '../teams/teams.service';
import { renderLessonPage } from './lesson-page';
import { keepFormWhenTooLarge } from './upload-form';

/**
 * The Team Practice forms on the lesson page (start, join, leave, save the team artifact): their
 * handlers show the lesson page again on bad input, so they sit with the lesson page (above
 * teams, which must not import lessons). A team artifact's history page stays in teams/.
 */
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

const student = ['student'] as const;

export const teamPracticeRoutes: RouteDef[] = [
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
];
