import { LEARNERS } from '../roles';
import type { Request, Response } from 'express';
import { attachmentsService } from '../attachments/attachments.service';
import type { AppContext } from '../context';
import { currentUser } from '../http/auth';
import { Invalid } from '../errors';
import { submitsTo } from '../http/form-page';
import { parseForm } from '../http/forms';
import { idParam } from '../http/params';
import { flash } from '../http/render';
import type { RouteDef } from '../http/routing';
import { singleUpload } from '../http/uploads';
import { artifactSchema, joinTeamSchema, startTeamSchema } from '../teams/teams.schemas';
import { teamsService } from '../teams/teams.service';
import { lessonFormPage } from './lesson-page';

/**
 * The Team Practice forms on the lesson page (start, join, leave, save the team artifact): bad
 * input shows the lesson page again (lessonFormPage; a full team with 409), so they sit with the lesson page (above
 * teams, which must not import lessons). A team artifact's history page stays in teams/.
 */
const back = (unitId: number) => `/lessons/${unitId}#team-practice`;

/** The lesson page for the team forms: the teams service's field names → the forms' HTML names. */
const teamForms = (ctx: AppContext) => lessonFormPage(ctx, { teamName: 'team_name', body: 'artifact_body', file: 'artifact_file' });

const startTeam = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const unitId = idParam(req.params.unitId);
  const form = parseForm(startTeamSchema, req.body);
  const { teamName } = await ctx.db.transaction().execute((trx) => teamsService.startTeam(trx, me, unitId, form.team_name, ctx.clock.now()));
  flash(res, `You started the team “${teamName}”. Colleagues working on this lesson can now join it.`);
  res.redirect(303, back(unitId));
};

const CHOOSE_A_TEAM = 'Choose a team to join.';

const joinTeam = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const unitId = idParam(req.params.unitId);
  const form = joinTeamSchema.safeParse(req.body ?? {});
  if (!form.success) throw new Invalid(CHOOSE_A_TEAM, { team: CHOOSE_A_TEAM });
  const { teamName } = await ctx.db
    .transaction()
    .execute((trx) => teamsService.joinTeam(trx, me, unitId, form.data.team_id, ctx.config.TEAM_SIZE_CAP, ctx.clock.now()));
  flash(res, `You joined the team “${teamName}”.`);
  res.redirect(303, back(unitId));
};

const leaveTeam = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const unitId = idParam(req.params.unitId);
  await ctx.db.transaction().execute((trx) => teamsService.leaveTeam(trx, me, unitId, ctx.clock.now()));
  flash(res, 'You left the team. Its team artifact stays with the team; join or start another team for this lesson.');
  res.redirect(303, back(unitId));
};

const saveArtifact = (ctx: AppContext) =>
  submitsTo(teamForms(ctx), [
    ...singleUpload('artifact_file', ctx.config.UPLOAD_MAX_BYTES),
    async (req: Request, res: Response) => {
      const me = currentUser(req);
      const unitId = idParam(req.params.unitId);
      const form = parseForm(artifactSchema, req.body);
      const upload = await attachmentsService.checkUpload(req.file, ctx.config.UPLOAD_MAX_BYTES);
      await attachmentsService.checkQuota(ctx.db, me.id, upload, ctx.config.UPLOAD_QUOTA_BYTES);
      const input = {
        student: me,
        unitId,
        body: form.artifact_body,
        upload,
        removeAttachment: form.remove_attachment,
        base: form.base_version,
        now: ctx.clock.now(),
      };
      const result = await ctx.db.transaction().execute((trx) => teamsService.saveArtifact(trx, input));
      flash(res, `Team artifact saved (version ${result.versionNo}). Your teammates see it on their lesson page and portfolio.`);
      res.redirect(303, back(unitId));
    },
  ]);

/** Team Practice teams are open to every learner on the lesson, campus or community. */
const student = LEARNERS;

export const teamPracticeRoutes: RouteDef[] = [
  {
    method: 'post',
    path: '/lessons/:unitId/teams',
    access: student,
    handler: (ctx) => submitsTo(teamForms(ctx), startTeam(ctx)),
    summary: 'Start a Team Practice team for a lesson',
  },
  {
    method: 'post',
    path: '/lessons/:unitId/teams/join',
    access: student,
    handler: (ctx) => submitsTo(teamForms(ctx), joinTeam(ctx)),
    summary: 'Join a Team Practice team (capped at TEAM_SIZE_CAP)',
  },
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
