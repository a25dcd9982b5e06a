import type { Request, Response } from 'express';
import type { AppContext } from '../context';
import { courseRepository } from '../course/course.repository';
import { currentUser } from '../http/auth';
import { render } from '../http/render';
import type { RouteDef } from '../http/routing';
import { semesterCalendar } from './calendar.service';

export async function calendarModel(ctx: AppContext, me: Express.User) {
  const [offering, weeks] = await Promise.all([
    courseRepository.offering(ctx.db, me.offeringId),
    semesterCalendar(ctx.db, me.offeringId, me.role === 'student' ? me.id : null, me.timeZone),
  ]);
  return { offering, weeks, zone: me.timeZone };
}

const calendarPage = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  render(res, 'calendar/index', { title: 'Semester calendar', ...(await calendarModel(ctx, me)) });
};

export const calendarRoutes: RouteDef[] = [
  { method: 'get', path: '/calendar', access: 'authenticated', handler: calendarPage, summary: 'Semester calendar in your time zone' },
];
