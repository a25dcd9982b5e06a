import type { Role } from '../roles';
import { sql, type ExpressionBuilder } from 'kysely';
import type { Database, Db } from '../db/database';
import { NotFound } from '../errors';

/**
 * Who may read a student's work, in one place (other features call these):
 * - the student who owns it;
 * - the instructor of the student's course offering;
 * - the student's active peer assessor (a peer_assignment not replaced, assessor = reader), for
 *   work of the edX course whose portfolio they assess (study guides not deleted, and their files);
 * and, for a team artifact (and a file attached to one), also
 * - every active member of that team, and the active peer assessor of any active member for
 *   that team's edX course.
 * Anyone else gets 404: we do not confirm that someone else's work exists.
 */
export interface Reader {
  id: number;
  role: Role;
  offeringId: number;
}

/** true when `reader` may read the lesson work (a study guide…) of `ownerId` on unit `unitId`. */
async function canReadWorkOf(db: Db, reader: Reader, ownerId: number, unitId: number): Promise<boolean> {
  if (reader.id === ownerId) return true;
  const row = await db
    .selectFrom('app_user as o')
    .innerJoin('unit as u', (join) => join.on('u.id', '=', unitId))
    .select('o.id')
    .where('o.id', '=', ownerId)
    .where((eb) =>
      eb.or([
        reader.role === 'instructor' ? eb('o.offering_id', '=', reader.offeringId) : eb.lit(false),
        eb.exists(activeAssessorOf(eb, reader.id, 'o.id', 'u.edx_course_id')),
      ]),
    )
    .executeTakeFirst();
  return !!row;
}

/** The file with its bytes when `reader` may download it; otherwise NotFound. */
async function readableAttachment(db: Db, reader: Reader, attachmentId: number) {
  const row = await db
    .selectFrom('attachment as a')
    .innerJoin('app_user as o', 'o.id', 'a.owner_user_id')
    .select(['a.id', 'a.original_name', 'a.content_type', 'a.byte_size', 'a.content', 'a.created_at', 'a.owner_user_id'])
    .where('a.id', '=', attachmentId)
    .where((eb) =>
      eb.or([
        eb('a.owner_user_id', '=', reader.id),
        reader.role === 'instructor' ? eb('o.offering_id', '=', reader.offeringId) : eb.lit(false),
        // A study guide's files are its owner's: look among the owner's guides (indexed), not every version.
        eb.exists(
          eb
            .selectFrom('study_guide as g')
            .innerJoin('study_guide_version as v', 'v.study_guide_id', 'g.id')
            .innerJoin('unit as u', 'u.id', 'g.unit_id')
            .select('v.id')
            .whereRef('g.user_id', '=', 'a.owner_user_id')
            .whereRef('v.attachment_id', '=', 'a.id')
            .where('g.deleted_at', 'is', null)
            .where((inner) => inner.exists(activeAssessorOf(inner, reader.id, 'g.user_id', 'u.edx_course_id'))),
        ),
        eb.exists(
          eb
            .selectFrom('team_artifact_version as v')
            .innerJoin('team_membership as m', 'm.team_id', 'v.team_id')
            .innerJoin('team as t', 't.id', 'v.team_id')
            .innerJoin('unit as u', 'u.id', 't.unit_id')
            .select('v.id')
            .whereRef('v.attachment_id', '=', 'a.id')
            .where('m.left_at', 'is', null)
            .where((inner) => inner.or([inner('m.user_id', '=', reader.id), inner.exists(activeAssessorOf(inner, reader.id, 'm.user_id', 'u.edx_course_id'))])),
        ),
      ]),
    )
    .executeTakeFirst();
  if (!row) throw new NotFound('We could not find that file, or it is not yours to see.');
  return row;
}

/** true when `reader` may read a team's shared work (its team artifact versions). */
async function canReadTeamWork(db: Db, reader: Reader, teamId: number): Promise<boolean> {
  const row = await db
    .selectFrom('team as t')
    .innerJoin('unit as u', 'u.id', 't.unit_id')
    .innerJoin('edx_course as c', 'c.id', 'u.edx_course_id')
    .select('t.id')
    .where('t.id', '=', teamId)
    .where((eb) =>
      eb.or([
        reader.role === 'instructor' ? eb('c.offering_id', '=', reader.offeringId) : eb.lit(false),
        eb.exists(
          eb
            .selectFrom('team_membership as m')
            .select('m.id')
            .whereRef('m.team_id', '=', 't.id')
            .where('m.left_at', 'is', null)
            .where((inner) => inner.or([inner('m.user_id', '=', reader.id), inner.exists(activeAssessorOf(inner, reader.id, 'm.user_id', 'u.edx_course_id'))])),
        ),
      ]),
    )
    .executeTakeFirst();
  return !!row;
}

// The subquery is started from queries with different tables in scope; it names the outer columns
// through sql.ref, so which tables those are does not matter to its types.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any tables in scope, see above
type AnyEb = ExpressionBuilder<Database, any>;

/**
 * An active peer assignment in which `readerId` assesses the student in column `assessee` for the
 * portfolio of the edX course in column `course` (the course the work belongs to).
 */
function activeAssessorOf(eb: AnyEb, readerId: number, assessee: 'o.id' | 'g.user_id' | 'm.user_id', course: 'u.edx_course_id') {
  return eb
    .selectFrom('peer_assignment as p')
    .innerJoin('portfolio_requirement as pr', 'pr.id', 'p.portfolio_requirement_id')
    .select('p.id')
    .where('p.assessor_id', '=', readerId)
    .where('p.replaced_at', 'is', null)
    .where('p.assessee_id', '=', sql.ref<number>(assessee))
    .where('pr.edx_course_id', '=', sql.ref<number>(course));
}

export const workAccess = Object.freeze({ canReadWorkOf, canReadTeamWork, readableAttachment });
