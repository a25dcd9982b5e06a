import { isLearner } from '../roles';
import type { Request, Response } from 'express';
import { attachmentsRepository } from '../attachments/attachments.repository';
import { attachmentsService } from '../attachments/attachments.service';
import type { AppContext } from '../context';
import { currentUser } from '../http/auth';
import { render } from '../http/render';
import type { RouteDef } from '../http/routing';
import { idParam } from '../http/params';
import { unitHeading } from '../course/units';
import { formatDateTime } from '../time';
import { teamsService } from './teams.service';

/** The team practice section of the lesson page. */
const back = (unitId: number) => `/lessons/${unitId}#team-practice`;

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
    lessonUrl: isLearner(me.role) && members.some((m) => m.user_id === me.id) ? back(team.unit_id) : null,
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

export const teamsRoutes: RouteDef[] = [
  {
    method: 'get',
    path: '/teams/:teamId/artifact',
    access: 'authenticated',
    handler: artifactHistory,
    summary: 'A team artifact’s versions (members, instructor, peer assessors)',
  },
];
