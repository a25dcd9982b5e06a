import type { Request, Response } from 'express';
import type { AppContext } from '../context';
import { currentUser } from '../http/auth';
import { render } from '../http/render';
import type { RouteDef } from '../http/routing';
import { DEFAULT_DIRECTION, overviewQuerySchema, type OverviewQuery } from './class-overview.schemas';
import { overviewPage } from './class-overview.service';
import { communityOverviewPage } from './community-overview.service';

/** Builds overview links that keep the current filters (sorting and paging without JavaScript). */
function urlFor(query: OverviewQuery) {
  return (changes: Partial<Record<'group' | 'section' | 'q' | 'behind' | 'country' | 'sort' | 'dir' | 'page', string | number | null>>) => {
    const community = query.group === 'community';
    const merged: Record<string, string | number | null | undefined> = {
      group: community ? 'community' : null,
      section: community ? null : query.section,
      q: query.q,
      behind: community ? null : query.behind,
      country: community ? query.country : null,
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

/** The two groups' links: switching group starts from that group's defaults. */
const groupLinks = (query: OverviewQuery) => [
  { label: 'Campus students', href: '/instructor/overview', current: query.group === 'campus' },
  { label: 'Community learners', href: '/instructor/overview?group=community', current: query.group === 'community' },
];

const overview = (ctx: AppContext) => async (req: Request, res: Response) => {
  const me = currentUser(req);
  const query = overviewQuerySchema.parse(req.query);
  if (query.group === 'community') {
    const url = urlFor(query);
    const model = await communityOverviewPage(ctx.db, me.offeringId, query, me.timeZone, ctx.clock.now(), (country) =>
      url({ country, q: null, sort: null, dir: null }),
    );
    const sortUrl = (col: 'joined' | 'name') => url({ sort: col, dir: model.filters.sort === col ? (model.filters.dir === 'asc' ? 'desc' : 'asc') : null });
    render(res, 'class-overview/community', {
      title: 'Class overview: community learners',
      groups: groupLinks(query),
      ...model,
      pageUrl: (page: number) => url({ page }),
      sortUrl,
    });
    return;
  }
  const model = await overviewPage(ctx.db, me.offeringId, query, me.timeZone, ctx.clock.now());
  const url = urlFor(query);
  const sortUrl = (col: keyof typeof DEFAULT_DIRECTION) =>
    url({ sort: col, dir: model.filters.sort === col ? (model.filters.dir === 'asc' ? 'desc' : 'asc') : null, page: null });
  render(res, 'class-overview/index', { title: 'Class overview', groups: groupLinks(query), ...model, pageUrl: (page: number) => url({ page }), sortUrl });
};

export const classOverviewRoutes: RouteDef[] = [
  {
    method: 'get',
    path: '/instructor/overview',
    access: ['instructor'],
    nav: { label: 'Class overview', order: 110 },
    handler: overview,
    summary: 'Class overview: every campus student, sortable and filterable; the community learners in their own group, counted by country and zone',
  },
];
