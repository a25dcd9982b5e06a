import type { Request, Response } from 'express';
import type { AppContext } from '../context';
import { currentUser } from '../http/auth';
import { render } from '../http/render';
import type { RouteDef } from '../http/routing';
import { certificatesService } from './certificates.service';

const page = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const model = await certificatesService.studentPage(ctx.db, me);
  render(res, 'grading/certificates', { title: 'MichiganX certificates', ...model });
};

export const certificatesRoutes: RouteDef[] = [
  {
    method: 'get',
    path: '/certificates',
    access: ['student'],
    nav: { label: 'Certificates', order: 130 },
    handler: page,
    summary: 'Your MichiganX certificate eligibility, per edX course and for both',
  },
];
