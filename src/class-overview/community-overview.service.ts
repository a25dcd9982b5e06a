import { countryName } from '../countries';
import { usersRepository } from '../accounts/users.repository';
import { courseCache } from '../course/course-cache';
import type { Db } from '../db/database';
import { readOne } from '../db/reads';
import { paceFromCompletions, semesterPosition } from '../progress/pace';
import { outlineOf, progressRepository } from '../progress/progress.repository';
import { daysUntil, formatDate, formatTime } from '../time';
import { classOverviewRepository as repo } from './class-overview.repository';
import { DEFAULT_DIRECTION, type OverviewQuery } from './class-overview.schemas';

/**
 * The class overview's community group (issue 17): the online learners who joined through a join
 * link, never mixed into the campus rows. A page of them (by name or newest first, searchable,
 * narrowed to a country) with where they are (country, zone, their time now), when they joined (in
 * the instructor's zone) and how far along the lessons they are; above it the whole group counted
 * by country and by time zone. Only active learners (not removed) are listed and counted. A
 * constant number of queries per page, whatever the size of the community.
 */
export const COMMUNITY_PAGE_SIZE = 50;
/** Countries and zones listed by name in the summary; the rest are summed into one "other" row. */
export const TOP_PLACES = 10;

interface Place {
  label: string;
  n: number;
  /** The filter link (countries only). */
  href: string | null;
}

/** The largest groups by count (ties by label), and the rest summed into one "other" row. */
function topPlaces(places: Place[], total: number, noun: string): { rows: Place[]; total: number } {
  const sorted = [...places].sort((a, b) => b.n - a.n || a.label.localeCompare(b.label, 'en'));
  const rows = sorted.slice(0, TOP_PLACES);
  const rest = sorted.slice(TOP_PLACES);
  if (rest.length) rows.push({ label: `${rest.length} other ${noun}${rest.length === 1 ? '' : 's'}`, n: rest.reduce((s, p) => s + p.n, 0), href: null });
  return { rows, total };
}

export async function communityOverviewPage(db: Db, offeringId: number, query: OverviewQuery, zone: string, now: Date, countryUrl: (code: string) => string) {
  const course = await courseCache.current(db, offeringId);
  const outline = outlineOf(course);
  const position = semesterPosition(outline, now);
  const sort = query.sort === 'joined' ? 'joined' : 'name';
  const dir = query.dir ?? DEFAULT_DIRECTION[sort];
  const lessonUnitIds = outline.lessons.map((l) => l.unitId);
  const [page, counts] = await Promise.all([
    usersRepository.activeCommunityPage(db, offeringId, {
      search: query.q.trim(),
      country: query.country,
      sort,
      dir,
      limit: COMMUNITY_PAGE_SIZE,
      offset: (query.page - 1) * COMMUNITY_PAGE_SIZE,
    }),
    usersRepository.activeCommunityByPlace(db, offeringId),
  ]);
  const userIds = page.rows.map((r) => r.id);
  const [done, lastWork] = await Promise.all([readOne(db, progressRepository.completionCountsRead(db, userIds, lessonUnitIds)), repo.lastWork(db, userIds)]);
  const pace = paceFromCompletions(outline, position, done, userIds);

  const learners = page.rows.map((r) => {
    const p = pace.get(r.id)!;
    const work = lastWork.get(r.id) ?? null;
    const quietDays = work ? daysUntil(work, now, zone) : null;
    const componentsDone = [...(done.get(r.id)?.values() ?? [])].reduce((a, b) => a + b, 0);
    const lessonsComplete = [...(done.get(r.id)?.values() ?? [])].filter((n) => outline.componentCount > 0 && n >= outline.componentCount).length;
    return {
      id: r.id,
      name: r.name,
      email: r.email,
      country: countryName(r.country),
      countryCode: r.country,
      timeZone: r.time_zone,
      localTime: formatTime(now, r.time_zone),
      joined: formatDate(new Date(r.created_at), zone),
      lastLogin: r.last_login_at ? formatDate(new Date(r.last_login_at), zone) : 'Never logged in',
      pace: { label: p.label, status: p.status },
      lessonsComplete,
      lessons: lessonUnitIds.length,
      componentsDone,
      componentsTotal: lessonUnitIds.length * outline.componentCount,
      lastWork: work ? `${formatDate(work, zone)} (${quietDays === 0 ? 'today' : `${quietDays} day${quietDays === 1 ? '' : 's'} ago`})` : 'No work yet',
    };
  });

  const byCountry = counts.byCountry.map((c) => ({ label: countryName(c.country), n: c.n, href: c.country ? countryUrl(c.country) : null, code: c.country }));
  return {
    learners,
    total: page.total,
    page: query.page,
    pages: Math.max(1, Math.ceil(page.total / COMMUNITY_PAGE_SIZE)),
    filters: { q: query.q, country: query.country, sort, dir },
    countryFilterName: query.country ? countryName(query.country) : null,
    countryOptions: byCountry
      .filter((c) => c.code)
      .sort((a, b) => a.label.localeCompare(b.label, 'en'))
      .map((c) => ({ value: c.code!, label: `${c.label} (${c.n})` })),
    summary: {
      total: counts.total,
      countries: byCountry.length,
      zones: counts.byZone.length,
      byCountry: topPlaces(byCountry, counts.total, 'country'),
      byZone: topPlaces(
        counts.byZone.map((z) => ({ label: z.zone, n: z.n, href: null })),
        counts.total,
        'time zone',
      ),
    },
  };
}
