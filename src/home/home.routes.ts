import type { Request, Response } from 'express';
import { calendarModel } from '../calendar/calendar.routes';
import type { AppContext } from '../context';
import { courseRepository } from '../course/course.repository';
import { currentUser } from '../http/auth';
import { render } from '../http/render';
import type { RouteDef } from '../http/routing';
import { formatDeadline } from '../time';
import { deadlinesFor } from '../portfolio/deadlines';

/** Home: the course, its two edX courses, the portfolio deadlines and the semester calendar. */
const home = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const [cal, edxCourses, deadlines] = await Promise.all([
    calendarModel(ctx, me),
    courseRepository.edxCourses(ctx.db, me.offeringId),
    deadlinesFor(ctx.db, me.offeringId, me.role === 'student' ? me.id : null),
  ]);
  render(res, 'home/index', {
    title: `${cal.offering.code} ${cal.offering.title}`,
    ...cal,
    edxCourses,
    deadlines: deadlines.map((d) => ({ title: d.title, due: formatDeadline(d.dueAt, me.timeZone), extended: d.extended })),
  });
};

export const homeRoutes: RouteDef[] = [{ method: 'get', path: '/', access: 'authenticated', handler: home, summary: 'Home: the course and its calendar' }];
