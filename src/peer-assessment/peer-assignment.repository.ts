import { peerAssessmentRepository } from '../portfolio/peer-assessments.repository';
import { teamsRepository } from '../teams/teams.repository';
import { sql } from 'kysely';
import type { Db } from '../db/database';
import type { Link } from './assignment';

/**
 * Peer assignments (who assesses whom, per portfolio). Rows are never deleted: a pair that a
 * roster change, a hand swap or a new run replaces gets replaced_at; rows with replaced_at null
 * are the current assignment.
 */
const CHUNK = 1000;

function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The portfolio requirement of an offering, locked so assignment changes run one at a time. */
async function lockRequirement(db: Db, offeringId: number, requirementId: number) {
  return db
    .selectFrom('portfolio_requirement as pr')
    .innerJoin('edx_course as c', 'c.id', 'pr.edx_course_id')
    .select(['pr.id', 'pr.title', 'pr.edx_course_id', 'c.code as edx_code'])
    .where('pr.id', '=', requirementId)
    .where('c.offering_id', '=', offeringId)
    .forUpdate('pr')
    .executeTakeFirst();
}

async function requirement(db: Db, offeringId: number, requirementId: number) {
  return db
    .selectFrom('portfolio_requirement as pr')
    .innerJoin('edx_course as c', 'c.id', 'pr.edx_course_id')
    .select(['pr.id', 'pr.title', 'pr.edx_course_id', 'c.code as edx_code', 'pr.due_at'])
    .where('pr.id', '=', requirementId)
    .where('c.offering_id', '=', offeringId)
    .executeTakeFirst();
}

/** Ids of the offering's active (not deactivated) students. */
async function activeStudentIds(db: Db, offeringId: number): Promise<number[]> {
  const rows = await db
    .selectFrom('app_user')
    .select('id')
    .where('offering_id', '=', offeringId)
    .where('role', '=', 'student')
    .where('deactivated_at', 'is', null)
    .orderBy('id')
    .execute();
  return rows.map((r) => r.id);
}

/** Names and emails of the active students (the swap form's suggestions), by name. */
async function activeStudentNames(db: Db, offeringId: number) {
  return db
    .selectFrom('app_user')
    .select(['name', 'email'])
    .where('offering_id', '=', offeringId)
    .where('role', '=', 'student')
    .where('deactivated_at', 'is', null)
    .orderBy('name')
    .execute();
}

/** The current assignment: assessor → assessee, and the seed of the run that made it. */
async function activePairs(db: Db, requirementId: number) {
  const rows = await db
    .selectFrom('peer_assignment')
    .select(['assessor_id', 'assessee_id', 'seed', 'assigned_at'])
    .where('portfolio_requirement_id', '=', requirementId)
    .where('replaced_at', 'is', null)
    .execute();
  const seeded = rows.filter((r) => r.seed !== null).sort((a, b) => b.assigned_at.getTime() - a.assigned_at.getTime());
  return { pairs: new Map(rows.map((r) => [r.assessor_id, r.assessee_id])), seed: seeded[0]?.seed ?? null };
}

/** The offering's portfolios with a current assignment (optionally only those with a pair involving `userId`). */
async function assignedRequirementIds(db: Db, offeringId: number, userId: number | null = null): Promise<number[]> {
  let q = db
    .selectFrom('peer_assignment as pa')
    .innerJoin('portfolio_requirement as pr', 'pr.id', 'pa.portfolio_requirement_id')
    .innerJoin('edx_course as c', 'c.id', 'pr.edx_course_id')
    .select('pa.portfolio_requirement_id')
    .distinct()
    .where('c.offering_id', '=', offeringId)
    .where('pa.replaced_at', 'is', null);
  if (userId !== null) q = q.where((eb) => eb.or([eb('pa.assessor_id', '=', userId), eb('pa.assessee_id', '=', userId)]));
  const rows = await q.orderBy('pa.portfolio_requirement_id').execute();
  return rows.map((r) => r.portfolio_requirement_id);
}

/** Retires current links (each identified by its assessor, who has one current link). */
async function retire(db: Db, requirementId: number, links: readonly Link[], at: Date): Promise<void> {
  for (const part of chunks(links)) {
    await db
      .updateTable('peer_assignment')
      .set({ replaced_at: at })
      .where('portfolio_requirement_id', '=', requirementId)
      .where('replaced_at', 'is', null)
      .where((eb) => eb.or(part.map(([a, b]) => eb.and([eb('assessor_id', '=', a), eb('assessee_id', '=', b)]))))
      .execute();
  }
}

async function insertLinks(db: Db, requirementId: number, links: readonly Link[], by: number, at: Date, seed: string | null): Promise<void> {
  for (const part of chunks(links)) {
    await db
      .insertInto('peer_assignment')
      .values(part.map(([a, b]) => ({ portfolio_requirement_id: requirementId, assessor_id: a, assessee_id: b, assigned_by: by, assigned_at: at, seed })))
      .execute();
  }
}

/** One page of the current pairs, by assessor name, with names and whether they were teammates. */
async function pairPage(db: Db, requirementId: number, edxCourseId: number, limit: number, offset: number) {
  const base = db
    .selectFrom('peer_assignment as p')
    .innerJoin('app_user as a', 'a.id', 'p.assessor_id')
    .innerJoin('app_user as e', 'e.id', 'p.assessee_id')
    .where('p.portfolio_requirement_id', '=', requirementId)
    .where('p.replaced_at', 'is', null);
  const [rows, total] = await Promise.all([
    base
      .select([
        'p.id',
        'p.assessor_id',
        'p.assessee_id',
        'p.seed',
        'p.assigned_at',
        'a.name as assessor_name',
        'a.email as assessor_email',
        'a.deactivated_at as assessor_deactivated_at',
        'e.name as assessee_name',
        'e.email as assessee_email',
        'e.deactivated_at as assessee_deactivated_at',
        teamsRepository.wereTeammatesSql(sql.ref('p.assessor_id'), sql.ref('p.assessee_id'), edxCourseId).as('teammates'),
      ])
      .orderBy('a.name')
      .orderBy('a.id')
      .limit(limit)
      .offset(offset)
      .execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(total.n) };
}

/** A student's current assignments (as assessor), with the assessee and the portfolio. */
async function currentForAssessor(db: Db, assessorId: number) {
  return db
    .selectFrom('peer_assignment as p')
    .innerJoin('app_user as e', 'e.id', 'p.assessee_id')
    .innerJoin('portfolio_requirement as pr', 'pr.id', 'p.portfolio_requirement_id')
    .innerJoin('edx_course as c', 'c.id', 'pr.edx_course_id')
    .select([
      'p.id',
      'p.portfolio_requirement_id',
      'p.assigned_at',
      'e.name as assessee_name',
      'pr.title as requirement_title',
      'c.code as edx_code',
      'pr.due_at',
    ])
    .where('p.assessor_id', '=', assessorId)
    .where('p.replaced_at', 'is', null)
    .orderBy('c.position')
    .execute();
}

/** One assignment with both students and its portfolio (the caller checks who may see it). */
async function find(db: Db, assignmentId: number, opts: { lock?: boolean } = {}) {
  return db
    .selectFrom('peer_assignment as p')
    .innerJoin('app_user as a', 'a.id', 'p.assessor_id')
    .innerJoin('app_user as e', 'e.id', 'p.assessee_id')
    .innerJoin('portfolio_requirement as pr', 'pr.id', 'p.portfolio_requirement_id')
    .innerJoin('edx_course as c', 'c.id', 'pr.edx_course_id')
    .select([
      'p.id',
      'p.portfolio_requirement_id',
      'p.assessor_id',
      'p.assessee_id',
      'p.replaced_at',
      'a.name as assessor_name',
      'e.name as assessee_name',
      'e.offering_id',
      'pr.title as requirement_title',
      'pr.edx_course_id',
      'c.code as edx_code',
    ])
    .where('p.id', '=', assignmentId)
    .$if(!!opts.lock, (qb) => qb.forUpdate('p'))
    .executeTakeFirst();
}

export const peerAssignmentRepository = Object.freeze({
  assignedRequirementIds,
  lockRequirement,
  requirement,
  activeStudentIds,
  activeStudentNames,
  teammatePairs: teamsRepository.teammatePairs,
  activePairs,
  retire,
  insertLinks,
  anyAssessment: peerAssessmentRepository.anyFor,
  pairPage,
  currentForAssessor,
  find,
});
