import { sql, type RawBuilder } from 'kysely';
import type { ActiveStudentIds } from '../accounts/users.repository';
import type { Db } from '../db/database';
import { anyOf } from '../db/any';

/** Team Practice teams (one active team per student per unit), members and team artifact versions. */
async function membershipOf(db: Db, userId: number, unitId: number) {
  return db
    .selectFrom('team_membership as m')
    .innerJoin('team as t', 't.id', 'm.team_id')
    .select(['m.id as membership_id', 'm.team_id', 'm.joined_at', 't.name as team_name'])
    .where('m.user_id', '=', userId)
    .where('m.unit_id', '=', unitId)
    .where('m.left_at', 'is', null)
    .executeTakeFirst();
}

/** Active members of several teams at once. */
async function membersOf(db: Db, teamIds: number[]) {
  if (!teamIds.length) return [];
  return db
    .selectFrom('team_membership as m')
    .innerJoin('app_user as u', 'u.id', 'm.user_id')
    .select(['m.team_id', 'm.user_id', 'm.joined_at', 'u.name', 'u.role', 'u.time_zone'])
    .where('m.team_id', '=', anyOf(teamIds))
    .where('m.left_at', 'is', null)
    .orderBy('m.joined_at')
    .orderBy('m.id')
    .execute();
}

/** How many of the largest open teams are checked for recent activity (the offer shows `limit`). */
export const ACTIVITY_CANDIDATES = 200;

/**
 * Teams a student may join: open (fewer than `cap` active members) and working on the unit right
 * now. When the unit is this week's lesson every open team counts (one lesson a week puts everyone
 * on pace there); otherwise a team counts when, in the last 14 days (`since`), a member joined, a
 * member marked a component of this unit done, or the team saved its team artifact: the largest
 * ACTIVITY_CANDIDATES open teams are checked, in order, until `limit` are found.
 * Largest first, then the most recently joined. Sizes are the counts triggers keep on `team`
 * (migration 0097), read in that order from one index: a unit may have thousands of teams.
 */
async function openTeams(db: Db, q: { unitId: number; cap: number; since: Date; everyone: boolean; limit: number }) {
  return db
    .selectFrom((eb) =>
      eb
        .selectFrom('team as c')
        .select(['c.id as team_id', 'c.active_members as member_count', 'c.last_joined_at'])
        .where('c.unit_id', '=', q.unitId)
        .where('c.active_members', '>', 0)
        .where('c.active_members', '<', q.cap)
        .orderBy('c.active_members', 'desc')
        .orderBy('c.last_joined_at', 'desc')
        .orderBy('c.id')
        .limit(q.everyone ? q.limit : ACTIVITY_CANDIDATES)
        .as('o'),
    )
    .innerJoin('team as t', 't.id', 'o.team_id')
    .select(['t.id', 't.name', 'o.member_count', 'o.last_joined_at'])
    .$if(!q.everyone, (qb) =>
      qb.where((eb) =>
        eb.or([
          eb.exists(
            eb
              .selectFrom('team_membership as a')
              .select('a.id')
              .whereRef('a.team_id', '=', 'o.team_id')
              .where('a.left_at', 'is', null)
              .where((e) =>
                e.or([
                  e('a.joined_at', '>=', q.since),
                  e.exists(
                    e
                      .selectFrom('component_completion as cc')
                      .select('cc.user_id')
                      .whereRef('cc.user_id', '=', 'a.user_id')
                      .whereRef('cc.unit_id', '=', 'a.unit_id')
                      .where('cc.completed_at', '>=', q.since),
                  ),
                ]),
              ),
          ),
          eb.exists(eb.selectFrom('team_artifact_version as v').select('v.id').whereRef('v.team_id', '=', 'o.team_id').where('v.created_at', '>=', q.since)),
        ]),
      ),
    )
    .orderBy('o.member_count', 'desc')
    .orderBy('o.last_joined_at', 'desc')
    .orderBy('t.id')
    .limit(q.limit)
    .execute();
}

/** Locks the team row for the rest of the transaction: joins and artifact saves serialize on it. */
async function lockTeam(db: Db, teamId: number) {
  return db.selectFrom('team').select(['id', 'unit_id', 'name']).where('id', '=', teamId).forUpdate().executeTakeFirst();
}

async function activeMemberCount(db: Db, teamId: number): Promise<number> {
  const { n } = await db
    .selectFrom('team_membership')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('team_id', '=', teamId)
    .where('left_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(n);
}

async function nameTaken(db: Db, unitId: number, name: string): Promise<boolean> {
  const row = await db
    .selectFrom('team')
    .select('id')
    .where('unit_id', '=', unitId)
    .where((eb) => eb(eb.fn('lower', ['name']), '=', name.toLowerCase()))
    .executeTakeFirst();
  return !!row;
}

async function insertTeam(db: Db, row: { unitId: number; name: string; createdBy: number; at: Date }): Promise<number> {
  const { id } = await db
    .insertInto('team')
    .values({ unit_id: row.unitId, name: row.name, created_by: row.createdBy, created_at: row.at })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

async function insertMembership(db: Db, row: { teamId: number; userId: number; unitId: number; at: Date }): Promise<void> {
  await db.insertInto('team_membership').values({ team_id: row.teamId, user_id: row.userId, unit_id: row.unitId, joined_at: row.at, left_at: null }).execute();
}

async function leave(db: Db, userId: number, unitId: number, at: Date): Promise<boolean> {
  const r = await db
    .updateTable('team_membership')
    .set({ left_at: at })
    .where('user_id', '=', userId)
    .where('unit_id', '=', unitId)
    .where('left_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Ends every current Team Practice membership of a student (they were dropped); their artifact versions stay. */
async function leaveAll(db: Db, userId: number, at: Date): Promise<number> {
  const r = await db.updateTable('team_membership').set({ left_at: at }).where('user_id', '=', userId).where('left_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows);
}

async function artifactVersions(db: Db, teamId: number) {
  return db
    .selectFrom('team_artifact_version as v')
    .innerJoin('app_user as u', 'u.id', 'v.uploaded_by')
    .select(['v.id', 'v.version_no', 'v.body_md', 'v.attachment_id', 'v.created_at', 'v.uploaded_by', 'u.name as uploader'])
    .where('v.team_id', '=', teamId)
    .orderBy('v.version_no', 'desc')
    .execute();
}

async function insertArtifactVersion(db: Db, row: { teamId: number; versionNo: number; body: string; attachmentId: number | null; by: number; at: Date }) {
  await db
    .insertInto('team_artifact_version')
    .values({ team_id: row.teamId, version_no: row.versionNo, body_md: row.body, attachment_id: row.attachmentId, uploaded_by: row.by, created_at: row.at })
    .execute();
}

async function teamWithUnit(db: Db, teamId: number) {
  return db
    .selectFrom('team as t')
    .innerJoin('unit as u', 'u.id', 't.unit_id')
    .innerJoin('edx_course as c', 'c.id', 'u.edx_course_id')
    .select(['t.id', 't.name', 't.unit_id', 'u.title as unit_title', 'u.lesson_number', 'c.code as edx_code', 'c.offering_id'])
    .where('t.id', '=', teamId)
    .executeTakeFirst();
}

/** Per student and unit, when their current team's artifact first had a version (run charts' portfolio items). */
async function firstArtifactOfEach(db: Db, students: ActiveStudentIds, unitIds: number[]) {
  return db
    .selectFrom('team_membership as m')
    .innerJoin('team_artifact_version as a', 'a.team_id', 'm.team_id')
    .select(['m.user_id', (eb) => eb.fn.min('a.created_at').as('at')])
    .where('m.left_at', 'is', null)
    .where('m.unit_id', '=', anyOf(unitIds))
    .where('m.user_id', 'in', students)
    .groupBy(['m.user_id', 'm.unit_id'])
    .execute();
}

/** The latest artifact version id of each student's current team per unit, as a query the portfolio checklist unions with its own items. */
function currentArtifactVersionIds(db: Db, userIds: number[], unitIds: number[]) {
  return db
    .selectFrom('team_membership as m')
    .innerJoin('team_artifact_version as a', 'a.team_id', 'm.team_id')
    .select(['m.user_id', 'm.unit_id as key_id', (eb) => eb.fn.max('a.id').as('version_id')])
    .where('m.user_id', '=', anyOf(userIds))
    .where('m.unit_id', '=', anyOf(unitIds))
    .where('m.left_at', 'is', null)
    .groupBy(['m.user_id', 'm.unit_id']);
}

/** Team artifact versions by id, with the team's name and the uploader's (a portfolio snapshot copies them). */
async function artifactVersionsByIds(db: Db, ids: number[]) {
  if (!ids.length) return [];
  return db
    .selectFrom('team_artifact_version as v')
    .innerJoin('team as t', 't.id', 'v.team_id')
    .innerJoin('app_user as u', 'u.id', 'v.uploaded_by')
    .select(['v.id', 'v.version_no', 'v.body_md', 'v.attachment_id', 'v.created_at', 't.name as team_name', 'u.name as uploaded_by'])
    .where('v.id', '=', anyOf(ids))
    .execute();
}

/** Raw SQL (a complete SELECT) the class overview composes: the last team artifact version each student uploaded (of `userIds`, or everyone). */
function lastArtifactSql(userIds: number[] | null) {
  return sql<{
    user_id: number;
    at: Date;
  }>`select uploaded_by as user_id, max(created_at) as at from team_artifact_version ${userIds ? sql`where uploaded_by = any(${userIds})` : sql``} group by uploaded_by`;
}

/**
 * Pairs of students who were members of the same Team Practice team at the same time, on any
 * unit of the edX course (optionally only pairs involving `userId`). Each pair once, low id first.
 */
async function teammatePairs(db: Db, edxCourseId: number, userId: number | null = null): Promise<[number, number][]> {
  const rows = await sql<{ a: number; b: number }>`
    select distinct least(m1.user_id, m2.user_id) as a, greatest(m1.user_id, m2.user_id) as b
    from team_membership m1
    join team_membership m2 on m2.team_id = m1.team_id and m2.user_id <> m1.user_id
    join unit u on u.id = m1.unit_id
    where u.edx_course_id = ${edxCourseId}
      and m1.joined_at < coalesce(m2.left_at, 'infinity'::timestamptz)
      and m2.joined_at < coalesce(m1.left_at, 'infinity'::timestamptz)
      ${userId === null ? sql`` : sql`and m1.user_id = ${userId}`}`.execute(db);
  return rows.rows.map((r) => [Number(r.a), Number(r.b)]);
}

/** Raw SQL (a boolean) peer assignment composes: whether the two students were on the same team at the same time on a unit of the edX course. */
function wereTeammatesSql(a: RawBuilder<unknown>, b: RawBuilder<unknown>, edxCourseId: number) {
  return sql<boolean>`exists (
          select 1 from team_membership m1
          join team_membership m2 on m2.team_id = m1.team_id
          join unit u on u.id = m1.unit_id
          where m1.user_id = ${a} and m2.user_id = ${b} and u.edx_course_id = ${edxCourseId}
            and m1.joined_at < coalesce(m2.left_at, 'infinity'::timestamptz)
            and m2.joined_at < coalesce(m1.left_at, 'infinity'::timestamptz))`;
}

export const teamsRepository = Object.freeze({
  teammatePairs,
  wereTeammatesSql,
  lastArtifactSql,
  artifactVersionsByIds,
  currentArtifactVersionIds,
  firstArtifactOfEach,
  leaveAll,
  membershipOf,
  membersOf,
  openTeams,
  lockTeam,
  activeMemberCount,
  nameTaken,
  insertTeam,
  insertMembership,
  leave,
  artifactVersions,
  insertArtifactVersion,
  teamWithUnit,
});
