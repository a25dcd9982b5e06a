import type { Db } from '../db/database';

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

export async function portfolioChecklists(db: Db, requirementId: number, userIds: number[]): Promise<Map<number, Checklist>> {
  const result = new Map<number, Checklist>();
  if (userIds.length === 0) return result;
  const req = await db
    .selectFrom('portfolio_requirement')
    .select(['id', 'edx_course_id'])
    .where('id', '=', requirementId)
    .executeTakeFirstOrThrow();
  const lessons = await db
    .selectFrom('unit')
    .select(['id', 'lesson_number', 'title'])
    .where('edx_course_id', '=', req.edx_course_id)
    .where('kind', '=', 'lesson')
    .orderBy('position')
    .execute();
  const unitIds = lessons.map((l) => l.id);

  const [guides, artifacts, assessments, reflections] = await Promise.all([
    unitIds.length
      ? db
          .selectFrom('study_guide as g')
          .innerJoin('study_guide_version as v', 'v.study_guide_id', 'g.id')
          .select(['g.user_id', 'g.unit_id', (eb) => eb.fn.max('v.id').as('version_id')])
          .where('g.user_id', 'in', userIds)
          .where('g.unit_id', 'in', unitIds)
          .where('g.deleted_at', 'is', null)
          .groupBy(['g.user_id', 'g.unit_id'])
          .execute()
      : Promise.resolve([]),
    unitIds.length
      ? db
          .selectFrom('team_membership as m')
          .innerJoin('team_artifact_version as a', 'a.team_id', 'm.team_id')
          .select(['m.user_id', 'm.unit_id', (eb) => eb.fn.max('a.id').as('version_id')])
          .where('m.user_id', 'in', userIds)
          .where('m.unit_id', 'in', unitIds)
          .where('m.left_at', 'is', null)
          .groupBy(['m.user_id', 'm.unit_id'])
          .execute()
      : Promise.resolve([]),
    db
      .selectFrom('peer_assessment')
      .select(['assessee_id as user_id', (eb) => eb.fn.max('id').as('version_id')])
      .where('portfolio_requirement_id', '=', requirementId)
      .where('assessee_id', 'in', userIds)
      .where('status', '=', 'submitted')
      .groupBy('assessee_id')
      .execute(),
    db
      .selectFrom('portfolio_reflection as r')
      .innerJoin('portfolio_reflection_version as v', 'v.reflection_id', 'r.id')
      .select(['r.user_id', (eb) => eb.fn.max('v.id').as('version_id')])
      .where('r.portfolio_requirement_id', '=', requirementId)
      .where('r.user_id', 'in', userIds)
      .where('v.body_md', '<>', '')
      .groupBy('r.user_id')
      .execute(),
  ]);

  const guideOf = new Map(guides.map((g) => [`${g.user_id}:${g.unit_id}`, Number(g.version_id)]));
  const artifactOf = new Map(artifacts.map((a) => [`${a.user_id}:${a.unit_id}`, Number(a.version_id)]));
  const assessmentOf = new Map(assessments.map((a) => [a.user_id, Number(a.version_id)]));
  const reflectionOf = new Map(reflections.map((r) => [r.user_id, Number(r.version_id)]));

  for (const userId of userIds) {
    const items: ChecklistItem[] = [];
    for (const l of lessons) {
      const n = String(l.lesson_number).padStart(2, '0');
      const g = guideOf.get(`${userId}:${l.id}`) ?? null;
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
      const a = artifactOf.get(`${userId}:${l.id}`) ?? null;
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
    const pa = assessmentOf.get(userId) ?? null;
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
    const rf = reflectionOf.get(userId) ?? null;
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
    result.set(userId, {
      requirementId,
      userId,
      items,
      presentCount: items.length - missing.length,
      total: items.length,
      complete: missing.length === 0,
      missing,
    });
  }
  return result;
}

export async function portfolioChecklist(db: Db, requirementId: number, userId: number): Promise<Checklist> {
  return (await portfolioChecklists(db, requirementId, [userId])).get(userId)!;
}
