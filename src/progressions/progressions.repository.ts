import { sql } from 'kysely';
import type { Db } from '../db/database';
import { anyOf } from '../db/any';

/** Partnerships, their members and their dated assessments. */
export interface PartnershipRow {
  id: number;
  offering_id: number;
  name: string;
  ihe: string;
  lea: string;
}

const partnershipColumns = ['partnership.id', 'partnership.offering_id', 'partnership.name', 'partnership.ihe', 'partnership.lea'] as const;

async function listInOffering(db: Db, offeringId: number): Promise<PartnershipRow[]> {
  return db
    .selectFrom('partnership')
    .select(partnershipColumns)
    .where('offering_id', '=', offeringId)
    .orderBy(sql`lower(name)`)
    .execute();
}

async function listForMember(db: Db, userId: number): Promise<PartnershipRow[]> {
  return db
    .selectFrom('partnership')
    .innerJoin('partnership_member', 'partnership_member.partnership_id', 'partnership.id')
    .select(partnershipColumns)
    .where('partnership_member.user_id', '=', userId)
    .orderBy(sql`lower(partnership.name)`)
    .execute();
}

async function find(db: Db, id: number): Promise<PartnershipRow | undefined> {
  return db.selectFrom('partnership').select(partnershipColumns).where('id', '=', id).executeTakeFirst();
}

async function nameTaken(db: Db, offeringId: number, name: string, exceptId?: number): Promise<boolean> {
  let q = db
    .selectFrom('partnership')
    .select('id')
    .where('offering_id', '=', offeringId)
    .where(sql<boolean>`lower(name) = lower(${name})`);
  if (exceptId !== undefined) q = q.where('id', '<>', exceptId);
  return !!(await q.executeTakeFirst());
}

async function insert(db: Db, values: { offeringId: number; name: string; ihe: string; lea: string; createdBy: number; createdAt: Date }): Promise<number> {
  const row = await db
    .insertInto('partnership')
    .values({ offering_id: values.offeringId, name: values.name, ihe: values.ihe, lea: values.lea, created_by: values.createdBy, created_at: values.createdAt })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

async function update(db: Db, id: number, values: { name: string; ihe: string; lea: string }): Promise<void> {
  await db.updateTable('partnership').set(values).where('id', '=', id).execute();
}

async function membersOf(db: Db, partnershipIds: number[]) {
  if (!partnershipIds.length) return [];
  return db
    .selectFrom('partnership_member')
    .innerJoin('app_user', 'app_user.id', 'partnership_member.user_id')
    .select(['partnership_member.partnership_id', 'app_user.id', 'app_user.name', 'app_user.email'])
    .where('partnership_member.partnership_id', '=', anyOf(partnershipIds))
    .orderBy('app_user.name')
    .execute();
}

async function isMember(db: Db, partnershipId: number, userId: number): Promise<boolean> {
  const row = await db
    .selectFrom('partnership_member')
    .select('user_id')
    .where('partnership_id', '=', partnershipId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return !!row;
}

/** Makes the member list exactly `userIds`: removes the others, adds the new ones. */
async function setMembers(db: Db, partnershipId: number, userIds: number[], addedAt: Date): Promise<void> {
  let remove = db.deleteFrom('partnership_member').where('partnership_id', '=', partnershipId);
  if (userIds.length) remove = remove.where('user_id', 'not in', userIds);
  await remove.execute();
  if (!userIds.length) return;
  await db
    .insertInto('partnership_member')
    .values(userIds.map((userId) => ({ partnership_id: partnershipId, user_id: userId, added_at: addedAt })))
    .onConflict((oc) => oc.columns(['partnership_id', 'user_id']).doNothing())
    .execute();
}

/** People who can be members: the offering's active learners, by name (community learners join a partnership when the instructor invites them, issue 17). */
async function memberCandidates(db: Db, offeringId: number) {
  return db
    .selectFrom('app_user')
    .select(['id', 'name', 'email', 'role'])
    .where('offering_id', '=', offeringId)
    .where('role', 'in', ['student', 'community'])
    .where('deactivated_at', 'is', null)
    .orderBy('name')
    .orderBy('id')
    .execute();
}

export interface AssessmentRow {
  id: number;
  partnership_id: number;
  rubric_id: number;
  assessed_on: string;
  created_by: number;
  created_by_name: string;
  created_at: Date;
  copied_from: number | null;
}

function assessmentQuery(db: Db) {
  return db
    .selectFrom('progression_assessment')
    .innerJoin('app_user', 'app_user.id', 'progression_assessment.created_by')
    .select([
      'progression_assessment.id',
      'progression_assessment.partnership_id',
      'progression_assessment.rubric_id',
      'progression_assessment.assessed_on',
      'progression_assessment.created_by',
      'app_user.name as created_by_name',
      'progression_assessment.created_at',
      'progression_assessment.copied_from',
    ]);
}

/** A partnership's assessments, oldest first. */
async function assessmentsOf(db: Db, partnershipId: number): Promise<AssessmentRow[]> {
  return assessmentQuery(db)
    .where('progression_assessment.partnership_id', '=', partnershipId)
    .orderBy('progression_assessment.assessed_on')
    .orderBy('progression_assessment.id')
    .execute();
}

async function findAssessment(db: Db, id: number): Promise<AssessmentRow | undefined> {
  return assessmentQuery(db).where('progression_assessment.id', '=', id).executeTakeFirst();
}

async function assessmentOn(db: Db, partnershipId: number, assessedOn: string): Promise<number | undefined> {
  const row = await db
    .selectFrom('progression_assessment')
    .select('id')
    .where('partnership_id', '=', partnershipId)
    .where('assessed_on', '=', assessedOn)
    .executeTakeFirst();
  return row?.id;
}

/** Per partnership: how many assessments, and the date of the latest. */
async function assessmentSummaries(db: Db, partnershipIds: number[]) {
  if (!partnershipIds.length) return [];
  return db
    .selectFrom('progression_assessment')
    .select((eb) => ['partnership_id', eb.fn.countAll<number>().as('count'), eb.fn.max('assessed_on').as('latest_on')])
    .where('partnership_id', '=', anyOf(partnershipIds))
    .groupBy('partnership_id')
    .execute();
}

export interface EntryRow {
  assessment_id: number;
  objective_id: number;
  stage: number;
  evidence: string;
  next_steps: string;
}

async function entriesOf(db: Db, assessmentIds: number[]): Promise<EntryRow[]> {
  if (!assessmentIds.length) return [];
  return db
    .selectFrom('progression_assessment_entry')
    .select(['assessment_id', 'objective_id', 'stage', 'evidence', 'next_steps'])
    .where('assessment_id', '=', anyOf(assessmentIds))
    .execute();
}

async function insertAssessment(
  db: Db,
  values: { partnershipId: number; rubricId: number; assessedOn: string; createdBy: number; createdAt: Date; copiedFrom: number | null },
  entries: { objectiveId: number; stage: number; evidence: string; nextSteps: string }[],
): Promise<number> {
  const { id } = await db
    .insertInto('progression_assessment')
    .values({
      partnership_id: values.partnershipId,
      rubric_id: values.rubricId,
      assessed_on: values.assessedOn,
      created_by: values.createdBy,
      created_at: values.createdAt,
      copied_from: values.copiedFrom,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (entries.length) {
    await db
      .insertInto('progression_assessment_entry')
      .values(entries.map((e) => ({ assessment_id: id, objective_id: e.objectiveId, stage: e.stage, evidence: e.evidence, next_steps: e.nextSteps })))
      .execute();
  }
  return id;
}

/** Locks a partnership's row: assessments recorded at once are ordered (the later one sees the earlier). */
async function lockPartnership(db: Db, id: number): Promise<void> {
  await db.selectFrom('partnership').select('id').where('id', '=', id).forUpdate().execute();
}

export const progressionsRepository = Object.freeze({
  lockPartnership,
  listInOffering,
  listForMember,
  find,
  nameTaken,
  insert,
  update,
  membersOf,
  isMember,
  setMembers,
  memberCandidates,
  assessmentsOf,
  findAssessment,
  assessmentOn,
  assessmentSummaries,
  entriesOf,
  insertAssessment,
});
