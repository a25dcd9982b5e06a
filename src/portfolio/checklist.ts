import { studyGuidesRepository } from '../study-guides/study-guides.repository';
import { teamsRepository } from '../teams/teams.repository';
import { sql } from 'kysely';
import { courseCache, type CourseSnapshot } from '../course/course-cache';
import type { Db } from '../db/database';
import { answered, read, readOne, type Read } from '../db/reads';
import { anyOf } from '../db/any';

/**
 * What a portfolio is made of (syllabus section 6), and whether each piece is there:
 * the study guide and the Team Practice artifact for every lesson of the edX course, one peer
 * assessment written by a colleague, and the student's personal reflection.
 * Batched: a constant number of queries for any number of students.
 */
export type ItemKind = 'study_guide' | 'team_artifact' | 'peer_assessment' | 'reflection';

export interface ChecklistItem {
  key: string;
  kind: ItemKind;
  label: string;
  unitId: number | null;
  lessonNumber: number | null;
  present: boolean;
  /** The exact version that is current (what a submission freezes). */
  versionId: number | null;
  /** Where the student goes to add or fix it. */
  fixUrl: string;
}

export interface Checklist {
  requirementId: number;
  userId: number;
  items: ChecklistItem[];
  presentCount: number;
  total: number;
  complete: boolean;
  missing: ChecklistItem[];
}

type VersionRow = { kind: ItemKind; user_id: number; key_id: number; version_id: number | null };

/**
 * The current version of every portfolio item of these students for these requirements: one
 * query (a UNION ALL of four grouped reads), whatever the number of students or requirements.
 * key_id is the unit for study guides and team artifacts, the requirement for the others. Study
 * guides and team artifacts are asked of their owners as subqueries (same statement).
 */
function currentVersions(db: Db, requirementIds: number[], unitIds: number[], userIds: number[]) {
  const kind = (k: ItemKind) => sql<ItemKind>`${sql.lit(k)}`.as('kind');
  const guides = studyGuidesRepository.currentVersionIds(db, userIds, unitIds).select(kind('study_guide'));
  const artifacts = teamsRepository.currentArtifactVersionIds(db, userIds, unitIds).select(kind('team_artifact'));
  const assessments = db
    .selectFrom('peer_assessment')
    .select(['assessee_id as user_id', 'portfolio_requirement_id as key_id', (eb) => eb.fn.max('id').as('version_id'), kind('peer_assessment')])
    .where('portfolio_requirement_id', '=', anyOf(requirementIds))
    .where('assessee_id', '=', anyOf(userIds))
    .where('status', '=', 'submitted')
    .groupBy(['assessee_id', 'portfolio_requirement_id']);
  const reflections = db
    .selectFrom('portfolio_reflection as r')
    .innerJoin('portfolio_reflection_version as v', 'v.reflection_id', 'r.id')
    .select(['r.user_id', 'r.portfolio_requirement_id as key_id', (eb) => eb.fn.max('v.id').as('version_id'), kind('reflection')])
    .where('r.portfolio_requirement_id', '=', anyOf(requirementIds))
    .where('r.user_id', '=', anyOf(userIds))
    .where('v.body_md', '<>', '')
    .groupBy(['r.user_id', 'r.portfolio_requirement_id']);
  const perRequirement = assessments.unionAll(reflections);
  return unitIds.length ? guides.unionAll(artifacts).unionAll(perRequirement) : perRequirement;
}

/** Pure: one student's checklist for one requirement, from the current versions. */
function checklistOf(
  requirementId: number,
  userId: number,
  lessons: { id: number; lesson_number: number | null }[],
  versionOf: Map<string, number>,
): Checklist {
  const items: ChecklistItem[] = [];
  for (const l of lessons) {
    const n = String(l.lesson_number).padStart(2, '0');
    const g = versionOf.get(`study_guide:${userId}:${l.id}`) ?? null;
    items.push({
      key: `study_guide:${l.id}`,
      kind: 'study_guide',
      label: `Lesson ${n} study guide`,
      unitId: l.id,
      lessonNumber: l.lesson_number,
      present: g !== null,
      versionId: g,
      fixUrl: `/lessons/${l.id}#study-guide`,
    });
    const a = versionOf.get(`team_artifact:${userId}:${l.id}`) ?? null;
    items.push({
      key: `team_artifact:${l.id}`,
      kind: 'team_artifact',
      label: `Lesson ${n} Team Practice artifact`,
      unitId: l.id,
      lessonNumber: l.lesson_number,
      present: a !== null,
      versionId: a,
      fixUrl: `/lessons/${l.id}#team-practice`,
    });
  }
  const pa = versionOf.get(`peer_assessment:${userId}:${requirementId}`) ?? null;
  items.push({
    key: 'peer_assessment',
    kind: 'peer_assessment',
    label: 'Peer assessment by a colleague',
    unitId: null,
    lessonNumber: null,
    present: pa !== null,
    versionId: pa,
    fixUrl: `/portfolios/${requirementId}#peer-assessment`,
  });
  const rf = versionOf.get(`reflection:${userId}:${requirementId}`) ?? null;
  items.push({
    key: 'reflection',
    kind: 'reflection',
    label: 'Personal reflection',
    unitId: null,
    lessonNumber: null,
    present: rf !== null,
    versionId: rf,
    fixUrl: `/portfolios/${requirementId}#reflection`,
  });
  const missing = items.filter((i) => !i.present);
  return { requirementId, userId, items, presentCount: items.length - missing.length, total: items.length, complete: missing.length === 0, missing };
}

/**
 * Checklists of several requirements of the course for any number of students:
 * Map<requirementId, Map<userId, Checklist>>. One read (the course comes from the cache).
 */
export function checklistsRead(db: Db, course: CourseSnapshot, requirementIds: number[], userIds: number[]): Read<Map<number, Map<number, Checklist>>> {
  const empty = () => new Map<number, Map<number, Checklist>>(requirementIds.map((id) => [id, new Map()]));
  if (userIds.length === 0 || requirementIds.length === 0) return answered(empty());
  const lessonsOf = new Map<number, { id: number; lesson_number: number | null }[]>();
  for (const rid of requirementIds) {
    const req = course.requirements.find((r) => r.id === rid);
    if (!req) throw new Error(`Portfolio requirement ${rid} is not part of offering ${course.offering.id}`);
    lessonsOf.set(
      rid,
      course.units.filter((u) => u.edx_course_id === req.edx_course_id && u.kind === 'lesson'),
    );
  }
  const unitIds = [...lessonsOf.values()].flat().map((l) => l.id);
  return read(currentVersions(db, requirementIds, unitIds, userIds), (rows) => {
    const versionOf = new Map((rows as VersionRow[]).map((r) => [`${r.kind}:${r.user_id}:${r.key_id}`, Number(r.version_id)]));
    const result = empty();
    for (const rid of requirementIds) {
      const lists = result.get(rid)!;
      for (const userId of userIds) lists.set(userId, checklistOf(rid, userId, lessonsOf.get(rid)!, versionOf));
    }
    return result;
  });
}

/** One requirement's checklists for any number of students (three queries: the requirement's offering, the course version, the items). */
export async function portfolioChecklists(db: Db, requirementId: number, userIds: number[]): Promise<Map<number, Checklist>> {
  if (userIds.length === 0) return new Map();
  const req = await db
    .selectFrom('portfolio_requirement as pr')
    .innerJoin('edx_course as c', 'c.id', 'pr.edx_course_id')
    .select(['pr.id', 'c.offering_id'])
    .where('pr.id', '=', requirementId)
    .executeTakeFirstOrThrow();
  const course = await courseCache.current(db, req.offering_id);
  return (await readOne(db, checklistsRead(db, course, [requirementId], userIds))).get(requirementId)!;
}

export async function portfolioChecklist(db: Db, requirementId: number, userId: number): Promise<Checklist> {
  return (await portfolioChecklists(db, requirementId, [userId])).get(userId)!;
}
