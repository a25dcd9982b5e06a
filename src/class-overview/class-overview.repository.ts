import { sql, type AliasedRawBuilder, type SqlBool } from 'kysely';
import type { Db } from '../db/database';
import { classSize } from '../roster/class-size';
import { lessonsRepository } from '../lessons/lessons.repository';
import { studyGuidesRepository } from '../study-guides/study-guides.repository';
import { teamsRepository } from '../teams/teams.repository';
import { outboxRepository } from '../mail/outbox.repository';

/**
 * Queries for the class overview. The page of students is one query (sorted and filtered in
 * SQL, so sorting by pace or activity spans the whole class); everything else is read for the
 * page's students only, one grouped query each: a constant number of queries per page.
 */
export type OverviewSort = 'name' | 'section' | 'pace' | 'activity' | 'components' | 'joined';
export type SortDirection = 'asc' | 'desc';

export interface StudentPageQuery {
  sectionId: number | null;
  search: string;
  behindOnly: boolean;
  sort: OverviewSort;
  dir: SortDirection;
  /** Lesson units that count for components done. */
  lessonUnitIds: number[];
  /** Lessons that should be complete by now (pace), and how many components make a unit complete. */
  expectedUnitIds: number[];
  componentCount: number;
  limit: number;
  offset: number;
}

/**
 * The sort keys, computed for the whole class in one pass (an aggregate joined to the students,
 * not a subquery per student). `p`: lessons complete among those expected by now (pace).
 * `m`: lesson components done, or the last time the student saved work (a component, a study
 * guide, a team artifact, a Learning Check). Joined only when the sort or the filter needs them:
 * the default page (by name) reads a page of the name index and nothing else.
 */
type PaceRow = { user_id: number; complete: number };
type MetricRow = { user_id: number; metric: number | Date | null };
const none = <R>(column: string) => sql<R>`(select 0 as user_id, 0 as ${sql.ref(column)} where false)`;

function paceJoin(q: StudentPageQuery, needed: boolean): AliasedRawBuilder<PaceRow, 'p'> {
  if (!needed || q.expectedUnitIds.length === 0) return none<PaceRow>('complete').as('p');
  return sql<PaceRow>`(select user_id, count(*) as complete from (${lessonsRepository.unitsCompletedSql(q.expectedUnitIds, q.componentCount)}) done
    group by user_id)`.as('p');
}

function metricJoin(q: StudentPageQuery, sort: OverviewSort | null): AliasedRawBuilder<MetricRow, 'm'> {
  if (sort === 'components' && q.lessonUnitIds.length > 0) {
    return sql<MetricRow>`(select user_id, n as metric from (${lessonsRepository.componentsDoneSql(q.lessonUnitIds)}) done)`.as('m');
  }
  if (sort === 'activity') {
    return sql<MetricRow>`(select user_id, max(at) as metric from (${savedWork(null)}) work group by user_id)`.as('m');
  }
  return none<MetricRow>('metric').as('m');
}

/**
 * The last time each student (of `userIds`, or everyone) saved each kind of work, from the owners
 * of the work: a component marked done, a study guide, a team artifact, a Learning Check.
 */
function savedWork(userIds: number[] | null) {
  return sql`${lessonsRepository.lastCompletionSql(userIds)}
    union all ${studyGuidesRepository.lastVersionSql(userIds)}
    union all ${teamsRepository.lastArtifactSql(userIds)}
    union all ${lessonsRepository.lastLearningCheckSql(userIds)}`;
}

/** Lessons expected by now that the student has not completed: pace's "behind by". */
const behindBy = (q: StudentPageQuery) => sql<number>`(${sql.lit(q.expectedUnitIds.length)} - coalesce(p.complete, 0))`;

function filtered(db: Db, offeringId: number, q: StudentPageQuery, keys: { pace: boolean; sort: OverviewSort | null }) {
  let query = db
    .selectFrom('app_user as u')
    .$if(keys.pace, (qb) => qb.leftJoin(paceJoin(q, true), 'p.user_id', 'u.id'))
    .$if(keys.sort === 'components' || keys.sort === 'activity', (qb) => qb.leftJoin(metricJoin(q, keys.sort), 'm.user_id', 'u.id'))
    .where('u.offering_id', '=', offeringId)
    .where('u.role', '=', 'student');
  // Dropped students stay listed, marked dropped with the date (never flagged).
  if (q.sectionId !== null) query = query.where('u.section_id', '=', q.sectionId);
  if (q.search) {
    const like = `%${q.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query = query.where((eb) => eb.or([eb('u.name', 'ilike', like), eb('u.email', 'ilike', like)]));
  }
  if (q.behindOnly && q.expectedUnitIds.length > 0) query = query.where(sql<SqlBool>`${behindBy(q)} > 0`);
  if (q.behindOnly && q.expectedUnitIds.length === 0) query = query.where(sql<SqlBool>`false`);
  return query;
}

async function studentPage(db: Db, offeringId: number, q: StudentPageQuery) {
  const dir = q.dir === 'desc' ? sql`desc` : sql`asc`;
  const order = {
    name: sql`u.name ${dir}, u.id ${dir}`,
    section: sql`s.code ${dir}, u.name, u.id`,
    pace: sql`${behindBy(q)} ${dir}, u.name, u.id`,
    activity: sql`m.metric ${dir} ${q.dir === 'desc' ? sql`nulls last` : sql`nulls first`}, u.name, u.id`,
    components: sql`coalesce(m.metric, 0) ${dir}, u.name, u.id`,
    joined: sql`u.created_at ${dir}, u.id ${dir}`,
  }[q.sort];
  const [rows, total] = await Promise.all([
    filtered(db, offeringId, q, { pace: q.behindOnly || q.sort === 'pace', sort: q.sort })
      .innerJoin('section as s', 's.id', 'u.section_id')
      .select(['u.id', 'u.name', 'u.email', 'u.time_zone', 'u.last_login_at', 'u.activated_at', 'u.deactivated_at', 's.code as section'])
      .orderBy(order)
      .limit(q.limit)
      .offset(q.offset)
      .execute(),
    classTotal(db, offeringId, q),
  ]);
  return { rows, total };
}

/** The page's total; without a search or the "behind" filter it depends only on who is in the class, so it is kept between views. */
async function classTotal(db: Db, offeringId: number, q: StudentPageQuery): Promise<number> {
  const count = filtered(db, offeringId, q, { pace: q.behindOnly, sort: null }).select((eb) => eb.fn.countAll<number>().as('n'));
  if (!q.search && !q.behindOnly) return classSize(db, `overview:${offeringId}:${q.sectionId ?? 'all'}`, count);
  return Number((await count.executeTakeFirstOrThrow()).n);
}

/** Last saved work per student (one query over the four kinds of work). */
async function lastWork(db: Db, userIds: number[]): Promise<Map<number, Date>> {
  if (userIds.length === 0) return new Map();
  const rows = await sql<{ user_id: number; at: Date }>`select user_id, max(at) as at from (${savedWork(userIds)}) work group by user_id`.execute(db);
  return new Map(rows.rows.map((r) => [r.user_id, new Date(r.at)]));
}

/** Reminder emails delivered to each student (any outbox kind naming a reminder), as the outbox reports them. */
async function remindersSent(db: Db, userIds: number[]) {
  return outboxRepository.sentCountsByUser(db, userIds, '%reminder%');
}

export const classOverviewRepository = Object.freeze({ studentPage, lastWork, remindersSent });
