import type { Db } from '../../src/db/database';

/** The unit id of lesson `n` of an edX course of the seeded semester ('LeadEd502x', 'LeadEd503x'). */
export async function lessonUnitId(db: Db, code: string, n: number): Promise<number> {
  const row = await db
    .selectFrom('unit')
    .innerJoin('edx_course', 'edx_course.id', 'unit.edx_course_id')
    .select('unit.id')
    .where('edx_course.code', '=', code)
    .where('unit.lesson_number', '=', n)
    .executeTakeFirstOrThrow();
  return row.id;
}
