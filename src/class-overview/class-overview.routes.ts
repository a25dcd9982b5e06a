import type { Request, Response } from 'express';
import type { AppContext } from '../context';
import { currentUser } from '../http/auth';
import { render } from '../http/render';
import type { RouteDef } from '../http/routing';
import { DEFAULT_DIRECTION, overviewQuerySchema, type OverviewQuery } from './class-overview.schemas';
import { overviewPage } from './class-overview.service';

/** Builds overview links that keep the current filters (sorting and paging without JavaScript). */
function urlFor(query: OverviewQuery) {
  return (changes: Partial<Record<'section' | 'q' | 'behind' | 'sort' | 'dir' | 'page', string | number | null>>) => {
    const merged: Record<string, string | number | null | undefined> = {
      section: query.section,
      q: query.q,
      behind: query.behind,
      sort: query.sort === 'name' ? null : query.sort,
      dir: query.dir,
      page: null,
      ...changes,
    };
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(merged)) if (v !== null && v !== undefined && v !== '' && !(k === 'page' && v === 1)) params.set(k, String(v));
    const qs = params.toString();
    return `/instructor/overview${qs ? `?${qs}` : ''}`;
  };
}

const overview = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const query = overviewQuerySchema.parse(req.query);
  const model = await overviewPage(ctx.db, me.offeringId, query, me.timeZone, ctx.clock.now());
  const url = urlFor(query);
  const sortUrl = (col: keyof typeof DEFAULT_DIRECTION) =>
    url({ sort: col, dir: model.filters.sort === col ? (model.filters.dir === 'asc' ? 'desc' : 'asc') : null, page: null });
  render(res, 'class-overview/index', { title: 'Class overview', ...model, pageUrl: (page: number) => url({ page }), sortUrl });
};

export const classOverviewRoutes: RouteDef[] = [
  {
    method: 'get',
    path: '/instructor/overview',
    access: ['instructor'],
    nav: { label: 'Class overview', order: 110 },
    handler: overview,
    summary: 'Class overview: every student, sortable and filterable',
  },
];
