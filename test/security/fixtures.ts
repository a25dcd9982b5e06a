import type { TestApp } from '../helpers/test-app';

/**
 * Real ids for route parameters, looked up in the seeded test database, so every route in the
 * matrix is called with values that exist ("A" is student1; "B" is student2, the other section).
 */
export interface Fixture {
  ids: Record<string, number>;
  values: Record<string, string>;
}

export async function loadFixture(t: TestApp): Promise<Fixture> {
  const db = t.db;
  const userId = async (email: string) => (await db.selectFrom('app_user').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;
  const unit = await db.selectFrom('unit').select('id').where('kind', '=', 'lesson').orderBy('id').executeTakeFirstOrThrow();
  const requirement = await db.selectFrom('portfolio_requirement').select('id').orderBy('id').executeTakeFirstOrThrow();
  const meeting = await db.selectFrom('calendar_event').select('id').where('kind', '=', 'campus_meeting').orderBy('starts_at').executeTakeFirstOrThrow();
  const edx = await db.selectFrom('edx_course').select(['id', 'code']).orderBy('position').executeTakeFirstOrThrow();
  return {
    ids: {
      studentA: await userId('student1@cohort.example'),
      studentB: await userId('student2@cohort.example'),
      instructor: await userId('instructor@cohort.example'),
      unit: unit.id,
      requirement: requirement.id,
      meetingEvent: meeting.id,
      edxCourse: edx.id,
    },
    values: { edxCode: edx.code },
  };
}

/** Fills a route path's :params. Unknown parameter names fail loudly (add them here). */
export function fillPath(path: string, f: Fixture, overrides: Record<string, string | number> = {}): string {
  const defaults: Record<string, string | number> = {
    token: 'not-a-real-token-0000000000000000000000000',
    unitId: f.ids.unit,
    requirementId: f.ids.requirement,
    eventId: f.ids.meetingEvent,
    userId: f.ids.studentA,
    edxCourseId: f.ids.edxCourse,
    ...overrides,
  };
  return path.replace(/:(\w+)(\.\w+)?/g, (_m, name: string, ext: string | undefined) => {
    if (!(name in defaults)) throw new Error(`No fixture value for :${name} in ${path}: add one to test/security/fixtures.ts`);
    return `${defaults[name]}${ext ?? ''}`;
  });
}
