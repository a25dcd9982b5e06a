import { isLearner, LEARNERS } from '../roles';
import type { Request, Response } from 'express';
import type { AppContext } from '../context';
import { currentUser } from '../http/auth';
import { render } from '../http/render';
import type { RouteDef } from '../http/routing';
import { instructorHome } from './home.service';
import { thisWeek } from './this-week.service';

/** Home: "This week" for a student; the course, class pace, deadlines and calendar for the instructor. */
const home = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const now = ctx.clock.now();
  if (isLearner(me.role)) {
    const model = await thisWeek(ctx.db, me, now);
    return render(res, 'home/this-week', { title: 'This week', ...model });
  }
  const model = await instructorHome(ctx.db, me.offeringId, me.timeZone, now);
  render(res, 'home/index', { title: `${model.offering.code} ${model.offering.title}`, ...model });
};

export const homeRoutes: RouteDef[] = [
  {
    method: 'get',
    path: '/',
    access: 'authenticated',
    nav: [
      { label: 'Home', order: 10, roles: ['instructor'] },
      { label: 'This week', order: 10, roles: LEARNERS },
    ],
    handler: home,
    summary: 'Home: "This week" for learners; course, class pace and calendar for the instructor',
  },
];
