import { courseCache, type CourseSnapshot } from '../course/course-cache';
import type { Db } from '../db/database';
import { readTogether, type Read } from '../db/reads';
import { checklistsRead, type Checklist } from '../portfolio/checklist';
import { outlineOf, progressRepository, type CourseOutline } from './progress.repository';

/**
 * Progress per edX course, per student: lesson components done, lessons complete, study guides
 * written, team artifacts attached, portfolio items complete. Study guides, team artifacts and
 * portfolio items come from the portfolio checklist, so "written" means what the portfolio
 * counts. Batched: a constant number of queries for any number of students.
 */
export interface Tally {
  done: number;
  total: number;
}

export interface CourseProgress {
  edxCourseId: number;
  edxCode: string;
  edxTitle: string;
  edxUrl: string;
  requirementId: number | null;
  components: Tally;
  lessonsComplete: Tally;
  /** Null when the edX course has no portfolio (nothing to count them against). */
  studyGuides: Tally | null;
  teamArtifacts: Tally | null;
  portfolioItems: Tally | null;
}

export interface RequirementRef {
  requirementId: number;
  edxCourseId: number;
}

/** Checklists for every requirement, batched over the students, as a read (to run with a page's other reads). */
export function checklistsReadFor(
  db: Db,
  course: CourseSnapshot,
  requirements: RequirementRef[],
  userIds: number[],
): Read<Map<number, Map<number, Checklist>>> {
  return checklistsRead(
    db,
    course,
    requirements.map((r) => r.requirementId),
    userIds,
  );
}

function countKind(list: Checklist | undefined, kind: 'study_guide' | 'team_artifact'): Tally | null {
  if (!list) return null;
  const items = list.items.filter((i) => i.kind === kind);
  return { done: items.filter((i) => i.present).length, total: items.length };
}

/** Pure: builds the per-course tallies from loaded data. */
export function progressFromData(
  outline: CourseOutline,
  counts: Map<number, Map<number, number>>,
  requirements: RequirementRef[],
  checklists: Map<number, Map<number, Checklist>>,
  userIds: number[],
): Map<number, CourseProgress[]> {
  const result = new Map<number, CourseProgress[]>();
  const per = outline.componentCount;
  for (const userId of userIds) {
    const done = counts.get(userId) ?? new Map<number, number>();
    result.set(
      userId,
      outline.edxCourses.map((c) => {
        const lessons = outline.lessons.filter((l) => l.edxCourseId === c.id);
        const req = requirements.find((r) => r.edxCourseId === c.id);
        const list = req ? checklists.get(req.requirementId)?.get(userId) : undefined;
        return {
          edxCourseId: c.id,
          edxCode: c.code,
          edxTitle: c.title,
          edxUrl: c.edxUrl,
          requirementId: req?.requirementId ?? null,
          components: { done: lessons.reduce((sum, l) => sum + Math.min(done.get(l.unitId) ?? 0, per), 0), total: lessons.length * per },
          lessonsComplete: { done: lessons.filter((l) => per > 0 && (done.get(l.unitId) ?? 0) >= per).length, total: lessons.length },
          studyGuides: countKind(list, 'study_guide'),
          teamArtifacts: countKind(list, 'team_artifact'),
          portfolioItems: list ? { done: list.presentCount, total: list.total } : null,
        };
      }),
    );
  }
  return result;
}

/** Progress for a page of students: the cached course, then completions and checklists in one round trip. */
export async function progressFor(db: Db, offeringId: number, userIds: number[]): Promise<Map<number, CourseProgress[]>> {
  const course = await courseCache.current(db, offeringId);
  const outline = outlineOf(course);
  const refs = course.requirements.map((r) => ({ requirementId: r.id, edxCourseId: r.edx_course_id }));
  const { counts, checklists } = await readTogether(db, {
    counts: progressRepository.completionCountsRead(
      db,
      userIds,
      outline.lessons.map((l) => l.unitId),
    ),
    checklists: checklistsReadFor(db, course, refs, userIds),
  });
  return progressFromData(outline, counts, refs, checklists, userIds);
}
