import type { Request, Response } from 'express';
import type { AppContext } from '../context';
import { currentUser } from '../http/auth';
import { render } from '../http/render';
import type { RouteDef } from '../http/routing';
import { courseRepository } from '../course/course.repository';
import { formatDate } from '../time';
import { normalizeAddress, undeliverableRepository } from '../mail/undeliverable.repository';
import { rosterRepository } from './roster.repository';
import { communityService } from '../community/community.service';

/** The roster page; the import form posts to roster-import.routes.ts. */
export async function rosterPageModel(ctx: AppContext, me: { offeringId: number; timeZone: string }) {
  const offeringId = me.offeringId;
  const [rows, offering, community] = await Promise.all([
    rosterRepository.listStudents(ctx.db, offeringId),
    courseRepository.offering(ctx.db, offeringId),
    communityService.linksView(ctx.db, offeringId, ctx.config.baseUrl, me.timeZone, ctx.clock.now()),
  ]);
  const marks = await undeliverableRepository.find(
    ctx.db,
    rows.map((s) => s.email),
  );
  const students = rows.map((s) => ({
    ...s,
    droppedOn: s.deactivated_at ? formatDate(s.deactivated_at, offering.time_zone) : null,
    undeliverable: marks.get(normalizeAddress(s.email))?.smtpReply ?? null,
  }));
  return { title: 'Roster', students, community };
}

const rosterPage = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  render(res, 'roster/index', { ...(await rosterPageModel(ctx, me)), csv: '', result: null });
};

export const rosterRoutes: RouteDef[] = [
  {
    method: 'get',
    path: '/instructor/roster',
    access: ['instructor'],
    nav: { label: 'Roster', order: 100 },
    handler: rosterPage,
    summary: 'Roster and import form',
  },
];
