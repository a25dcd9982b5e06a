import type { Request, Response } from 'express';
import type { AppContext } from '../context';
import { courseRepository } from '../course/course.repository';
import { currentUser } from '../http/auth';
import { render } from '../http/render';
import { idParam } from '../http/params';
import type { RouteDef } from '../http/routing';
import { groupQuerySchema, learningCheckQuerySchema } from './insights.schemas';
import { learningCheckService } from './learning-check.service';
import { runChartsPage } from './run-charts.service';

/** Learning Check insights (page and CSV per unit, and the index) and the run charts. */
const instructor = ['instructor'] as const;

const unitIdOf = (req: Request): number => idParam(req.params.unitId, 'There is no such unit.');

const indexPage = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const { group } = groupQuerySchema.parse(req.query);
  render(res, 'insights/index', { title: 'Learning Check insights', ...(await learningCheckService.index(ctx.db, me.offeringId, group)) });
};

const unitPage = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const query = learningCheckQuerySchema.parse(req.query);
  const model = await learningCheckService.unitPage(ctx.db, me.offeringId, unitIdOf(req), query, me.timeZone);
  render(res, 'insights/learning-check', { title: `Learning Check · ${model.unit.code} ${model.unit.name}`, ...model });
};

const unitCsv = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const query = learningCheckQuerySchema.parse(req.query);
  const offering = await courseRepository.offering(ctx.db, me.offeringId);
  const file = await learningCheckService.csv(ctx.db, me.offeringId, unitIdOf(req), query, offering.time_zone);
  res.set('Cache-Control', 'no-store');
  res.attachment(file.fileName);
  res.type('text/csv; charset=utf-8').send(file.body);
};

const runCharts = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const { group } = groupQuerySchema.parse(req.query);
  render(res, 'insights/run-charts', { title: 'Run charts', ...(await runChartsPage(ctx.db, me.offeringId, ctx.clock.now(), group)) });
};

export const insightsRoutes: RouteDef[] = [
  {
    method: 'get',
    path: '/instructor/insights',
    access: instructor,
    nav: { label: 'Learning Checks', order: 150 },
    handler: indexPage,
    summary: 'Learning Check insights: every unit with its answer counts',
  },
  // The CSV route comes first: '/:unitId' would otherwise take "12.csv" as the unit id.
  {
    method: 'get',
    path: '/instructor/insights/learning-check/:unitId.csv',
    access: instructor,
    handler: unitCsv,
    summary: 'A unit’s Learning Check responses as CSV (names optional)',
  },
  {
    method: 'get',
    path: '/instructor/insights/learning-check/:unitId',
    access: instructor,
    handler: unitPage,
    summary: 'A unit’s Learning Check responses, by section, names optional',
  },
  {
    method: 'get',
    path: '/instructor/run-charts',
    access: instructor,
    nav: { label: 'Run charts', order: 160 },
    handler: runCharts,
    summary: 'Run charts: weekly measures with medians and data tables',
  },
];
