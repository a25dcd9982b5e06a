import { sql } from 'kysely';
import type { Db } from '../db/database';
import { instant, read } from '../db/reads';

/**
 * The lesson page's reads of one student's work on a unit (run together in one round trip with the
 * page's other reads, src/db/reads.ts): the single-row
 * pieces (current private note, current Learning Check, study guide with its latest version,
 * team membership) in one query of lateral joins, and the student's team's members and team
 * artifact versions found through the membership in the same statement (no second wave).
 */
function singleRowsRead(db: Db, userId: number, unitId: number) {
  const query = db
    .selectFrom('app_user as me')
    .leftJoinLateral(
      (eb) =>
        eb
          .selectFrom('lesson_note')
          .select(['body', 'created_at', sql<number>`count(*) over ()`.as('saves')])
          .whereRef('user_id', '=', 'me.id')
          .where('unit_id', '=', unitId)
          .orderBy('id', 'desc')
          .limit(1)
          .as('n'),
      (join) => join.onTrue(),
    )
    .leftJoinLateral(
      (eb) =>
        eb
          .selectFrom('learning_check_response')
          .select(['id', 'understanding', 'strengths', 'weaknesses', 'submitted_at', sql<number>`count(*) over ()`.as('saves')])
          .whereRef('user_id', '=', 'me.id')
          .where('unit_id', '=', unitId)
          .orderBy('submitted_at', 'desc')
          .orderBy('id', 'desc')
          .limit(1)
          .as('lc'),
      (join) => join.onTrue(),
    )
    .leftJoin('study_guide as g', (join) => join.onRef('g.user_id', '=', 'me.id').on('g.unit_id', '=', unitId))
    .leftJoinLateral(
      (eb) =>
        eb
          .selectFrom('study_guide_version')
          .select(['id', 'version_no', 'body_md', 'attachment_id', 'created_at'])
          .whereRef('study_guide_id', '=', 'g.id')
          .orderBy('version_no', 'desc')
          .limit(1)
          .as('gv'),
      (join) => join.onTrue(),
    )
    .leftJoin('team_membership as m', (join) => join.onRef('m.user_id', '=', 'me.id').on('m.unit_id', '=', unitId).on('m.left_at', 'is', null))
    .leftJoin('team as t', 't.id', 'm.team_id')
    .select([
      'n.body as note_body',
      'n.created_at as note_created_at',
      'n.saves as note_saves',
      'lc.id as lc_id',
      'lc.understanding as lc_understanding',
      'lc.strengths as lc_strengths',
      'lc.weaknesses as lc_weaknesses',
      'lc.submitted_at as lc_submitted_at',
      'lc.saves as lc_saves',
      'g.id as guide_id',
      'g.deleted_at as guide_deleted_at',
      'gv.id as guide_version_id',
      'gv.version_no as guide_version_no',
      'gv.body_md as guide_body_md',
      'gv.attachment_id as guide_attachment_id',
      'gv.created_at as guide_created_at',
      'm.id as membership_id',
      'm.team_id',
      'm.joined_at',
      't.name as team_name',
    ])
    .where('me.id', '=', userId);
  return read(query, (rows) => {
    const r = rows[0];
    if (!r) return undefined;
    return {
      ...r,
      note_created_at: instant(r.note_created_at),
      lc_submitted_at: instant(r.lc_submitted_at),
      guide_deleted_at: instant(r.guide_deleted_at),
      guide_created_at: instant(r.guide_created_at),
      joined_at: instant(r.joined_at),
    };
  });
}

/** The student's active team on the unit, as a subquery (at most one: a unique index). */
function teamOf(db: Db, userId: number, unitId: number) {
  return db.selectFrom('team_membership').select('team_id').where('user_id', '=', userId).where('unit_id', '=', unitId).where('left_at', 'is', null);
}

/** Active members of the student's team on the unit (none without a team), in joining order. */
function teamMembersRead(db: Db, userId: number, unitId: number) {
  const query = db
    .selectFrom('team_membership as m')
    .innerJoin('app_user as u', 'u.id', 'm.user_id')
    .select(['m.team_id', 'm.user_id', 'm.joined_at', 'u.name', 'u.role', 'u.time_zone'])
    .where('m.team_id', 'in', teamOf(db, userId, unitId))
    .where('m.left_at', 'is', null)
    .orderBy('m.joined_at')
    .orderBy('m.id');
  return read(query, (rows) => rows.map((r) => ({ ...r, joined_at: instant(r.joined_at) })));
}

/** Every team artifact version of the student's team on the unit, newest first. */
function teamArtifactVersionsRead(db: Db, userId: number, unitId: number) {
  const query = db
    .selectFrom('team_artifact_version as v')
    .innerJoin('app_user as u', 'u.id', 'v.uploaded_by')
    .select(['v.id', 'v.version_no', 'v.body_md', 'v.attachment_id', 'v.created_at', 'v.uploaded_by', 'u.name as uploader'])
    .where('v.team_id', 'in', teamOf(db, userId, unitId))
    .orderBy('v.version_no', 'desc');
  return read(query, (rows) => rows.map((r) => ({ ...r, created_at: instant(r.created_at) })));
}

export const lessonPageRepository = Object.freeze({ singleRowsRead, teamMembersRead, teamArtifactVersionsRead });
