import type { TestApp } from '../helpers/test-app';
import { progressionsFixture } from '../helpers/progressions-fixture';
import { lessonWorkFixture } from '../helpers/lesson-work-fixture';

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
  const partnership = await progressionsFixture(t, await userId('student1@cohort.example'), await userId('instructor@cohort.example'));
  const a = await userId('student1@cohort.example');
  // Student A's own records, which the other personas must not reach.
  const submission = await db
    .insertInto('portfolio_submission')
    .values({ user_id: a, portfolio_requirement_id: requirement.id, submitted_at: new Date('2020-02-20T15:00:00Z'), due_at: new Date('2020-02-27T05:00:00Z'), is_late: false, is_complete: false, missing: '[]', snapshot: JSON.stringify({ requirementId: requirement.id, takenAt: '2020-02-20T15:00:00.000Z', items: [] }) })
    .returning('id')
    .executeTakeFirstOrThrow();
  const extension = await db
    .insertInto('extension_request')
    .values({ user_id: a, portfolio_requirement_id: requirement.id, reason: 'A family matter', proposed_due_on: '2020-03-04', requested_at: new Date('2020-02-20T15:00:00Z'), made_before_due: true })
    .returning('id')
    .executeTakeFirstOrThrow();
  // Lesson work (issue 3): student A's study guide with a file, Enrichment entry and Celebrate Success share.
  const lessonWork = await lessonWorkFixture(t, a, unit.id);
  return {
    ids: {
      partnership: partnership.partnershipId,
      assessment: partnership.assessmentId,
      studentA: await userId('student1@cohort.example'),
      studentB: await userId('student2@cohort.example'),
      instructor: await userId('instructor@cohort.example'),
      unit: unit.id,
      requirement: requirement.id,
      meetingEvent: meeting.id,
      edxCourse: edx.id,
      submission: submission.id,
      extension: extension.id,
      ...lessonWork,
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
    partnershipId: f.ids.partnership,
    assessmentId: f.ids.assessment,
    submissionId: f.ids.submission,
    extensionId: f.ids.extension,
    componentId: f.ids.component,
    entryId: f.ids.enrichmentEntry,
    shareId: f.ids.celebrateShare,
    guideId: f.ids.studyGuide,
    versionNo: 1,
    teamId: f.ids.team,
    attachmentId: f.ids.attachment,
    ...overrides,
  };
  return path.replace(/:(\w+)(\.\w+)?/g, (_m, name: string, ext: string | undefined) => {
    if (!(name in defaults)) throw new Error(`No fixture value for :${name} in ${path}: add one to test/security/fixtures.ts`);
    return `${defaults[name]}${ext ?? ''}`;
  });
}
