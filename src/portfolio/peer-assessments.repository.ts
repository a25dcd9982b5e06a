import type { ActiveStudentIds } from '../accounts/users.repository';
import type { Db } from '../db/database';
import { anyOf } from '../db/any';

/**
 * Peer assessments: versioned rows (every save adds one, numbered per assignment). The latest
 * row is the assessor's current text; the latest *submitted* row is what the assessee, the
 * portfolio checklist and the instructor read. The portfolio owns them (its checklist reads them);
 * src/peer-assessment/ owns who assesses whom and calls this repository to save.
 */
export interface AssessmentAnswers {
  collegialInteractions: string;
  workProducts: string;
  strength: string;
  suggestion: string;
  comments: string;
}

const columns = [
  'id',
  'peer_assignment_id',
  'version_no',
  'collegial_interactions',
  'work_products',
  'strength',
  'suggestion',
  'comments',
  'status',
  'created_at',
  'assessor_id',
  'assessee_id',
] as const;

/** Every version for one assignment, newest first. */
async function versionsOf(db: Db, assignmentId: number) {
  return db.selectFrom('peer_assessment').select(columns).where('peer_assignment_id', '=', assignmentId).orderBy('version_no', 'desc').execute();
}

async function insertVersion(
  db: Db,
  row: {
    assignmentId: number;
    requirementId: number;
    assessorId: number;
    assesseeId: number;
    versionNo: number;
    answers: AssessmentAnswers;
    status: 'draft' | 'submitted';
    at: Date;
  },
): Promise<number> {
  const { id } = await db
    .insertInto('peer_assessment')
    .values({
      peer_assignment_id: row.assignmentId,
      portfolio_requirement_id: row.requirementId,
      assessor_id: row.assessorId,
      assessee_id: row.assesseeId,
      version_no: row.versionNo,
      collegial_interactions: row.answers.collegialInteractions,
      work_products: row.answers.workProducts,
      strength: row.answers.strength,
      suggestion: row.answers.suggestion,
      comments: row.answers.comments,
      status: row.status,
      created_at: row.at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

/** The latest submitted version of every assessment written about `assesseeId` for a portfolio. */
async function submittedAbout(db: Db, assesseeId: number, requirementId: number) {
  return db
    .selectFrom('peer_assessment as s')
    .innerJoin('app_user as a', 'a.id', 's.assessor_id')
    .distinctOn('s.peer_assignment_id')
    .select([...columns.map((c) => `s.${c}` as const), 'a.name as assessor_name'])
    .where('s.assessee_id', '=', assesseeId)
    .where('s.portfolio_requirement_id', '=', requirementId)
    .where('s.status', '=', 'submitted')
    .orderBy('s.peer_assignment_id')
    .orderBy('s.version_no', 'desc')
    .execute();
}

/** Batched: per assignment, whether anything was saved and whether a version was submitted. */
async function progressOf(db: Db, assignmentIds: number[]): Promise<Map<number, { versions: number; submitted: boolean; lastAt: Date }>> {
  if (!assignmentIds.length) return new Map();
  const rows = await db
    .selectFrom('peer_assessment')
    .select([
      'peer_assignment_id',
      (eb) => eb.fn.countAll<number>().as('versions'),
      (eb) => eb.fn.max('created_at').as('last_at'),
      (eb) => eb.fn.count<number>('id').filterWhere('status', '=', 'submitted').as('submitted'),
    ])
    .where('peer_assignment_id', '=', anyOf(assignmentIds))
    .groupBy('peer_assignment_id')
    .execute();
  return new Map(rows.map((r) => [r.peer_assignment_id, { versions: Number(r.versions), submitted: Number(r.submitted) > 0, lastAt: new Date(r.last_at) }]));
}

/** Per assessee, when the first submitted assessment of them for the portfolio was saved (run charts' portfolio items). */
async function firstSubmittedAbout(db: Db, students: ActiveStudentIds, requirementId: number) {
  return db
    .selectFrom('peer_assessment')
    .select(['assessee_id as user_id', (eb) => eb.fn.min('created_at').as('at')])
    .where('portfolio_requirement_id', '=', requirementId)
    .where('status', '=', 'submitted')
    .where('assessee_id', 'in', students)
    .groupBy('assessee_id')
    .execute();
}

/** Whether any peer assessment (draft or submitted) was saved for this portfolio. */
async function anyFor(db: Db, requirementId: number): Promise<boolean> {
  const row = await db.selectFrom('peer_assessment').select('id').where('portfolio_requirement_id', '=', requirementId).limit(1).executeTakeFirst();
  return !!row;
}

export const peerAssessmentRepository = Object.freeze({ anyFor, firstSubmittedAbout, versionsOf, insertVersion, submittedAbout, progressOf });
