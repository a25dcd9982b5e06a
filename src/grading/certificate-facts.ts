import { certificateRuleOf, type CertificateRule } from '../course/certificate-rule';
import type { CourseSnapshot } from '../course/course-cache';
import type { Db } from '../db/database';
import { readTogether } from '../db/reads';
import { edxProgressRepository, type EdxCourseStanding } from '../edx-import/edx-progress.repository';
import { gradingRepository, type GradeRow } from './grading.repository';
import { checklistsRead, type Checklist } from '../portfolio/checklist';
import { submissionsRepository, type SubmissionSummary } from '../portfolio/submissions.repository';
import { progressRepository } from '../progress/progress.repository';
import { certificateStatus, type CertificateCourse, type CertificateStatus } from './certificate-eligibility';

/**
 * Everything certificate eligibility looks at, for any number of students, in one round trip
 * (six reads run together): components done, portfolio checklists, latest submissions, grades,
 * the edX standings and which edX courses had a report imported. Callers that show these facts
 * too (the gradebook) use them from here instead of reading them again.
 */
export interface CertificateFacts {
  rule: CertificateRule;
  grades: GradeRow[];
  /** Keyed "userId:requirementId". */
  submissions: Map<string, SubmissionSummary>;
  /** Map<requirementId, Map<userId, Checklist>>. */
  checklists: Map<number, Map<number, Checklist>>;
  standings: EdxCourseStanding[];
  /** Per student. */
  certificates: Map<number, CertificateStatus>;
}

export function certificateCoursesOf(course: CourseSnapshot): CertificateCourse[] {
  return course.requirements.map((r) => ({
    edxCourseId: r.edx_course_id,
    requirementId: r.id,
    edxCode: r.edx_code,
    edxTitle: r.edx_title,
    lessons: course.units
      .filter((u) => u.edx_course_id === r.edx_course_id && u.kind === 'lesson' && u.lesson_number !== null)
      .map((u) => ({ unitId: u.id, lessonNumber: u.lesson_number! })),
  }));
}

export async function certificateFactsFor(db: Db, course: CourseSnapshot, userIds: number[]): Promise<CertificateFacts> {
  const rule = certificateRuleOf(course.offering.certificate_rule);
  const courses = certificateCoursesOf(course);
  const requirementIds = courses.map((c) => c.requirementId);
  const unitIds = courses.flatMap((c) => c.lessons.map((l) => l.unitId));
  const facts = await readTogether(db, {
    done: progressRepository.componentsDoneRead(db, userIds, unitIds),
    checklists: checklistsRead(db, course, requirementIds, userIds),
    submissions: submissionsRepository.latestForEachRead(db, userIds, requirementIds),
    grades: gradingRepository.gradesForRead(db, userIds),
    standings: edxProgressRepository.standingsRead(db, userIds),
    imported: edxProgressRepository.importedCoursesRead(db, course.offering.id),
  });
  const gradeOf = new Map(facts.grades.map((g) => [`${g.user_id}:${g.portfolio_requirement_id}`, g.grade]));
  const standingOf = new Map(facts.standings.map((s) => [`${s.userId}:${s.edxCourseId}`, s]));
  const components = course.components.map((c) => ({ id: c.id, name: c.name }));
  const none = new Set<number>();
  const certificates = new Map<number, CertificateStatus>();
  for (const userId of userIds) {
    const done = facts.done.get(userId);
    certificates.set(
      userId,
      certificateStatus(rule, courses, components, (c) => {
        const list = facts.checklists.get(c.requirementId)?.get(userId);
        const present = (kind: string, unitId: number) => !!list?.items.some((i) => i.kind === kind && i.unitId === unitId && i.present);
        const s = facts.submissions.get(`${userId}:${c.requirementId}`);
        const standing = standingOf.get(`${userId}:${c.edxCourseId}`);
        return {
          componentsDone: (unitId) => done?.get(unitId) ?? none,
          studyGuide: (unitId) => present('study_guide', unitId),
          teamArtifact: (unitId) => present('team_artifact', unitId),
          submission: s ? { isComplete: s.is_complete } : null,
          grade: gradeOf.get(`${userId}:${c.requirementId}`) ?? null,
          edx: !facts.imported.has(c.edxCourseId)
            ? { imported: false }
            : standing
              ? { imported: true, listed: true, grade: standing.grade, unenrolled: standing.unenrolled }
              : { imported: true, listed: false },
        };
      }),
    );
  }
  return { rule, grades: facts.grades, submissions: facts.submissions, checklists: facts.checklists, standings: facts.standings, certificates };
}
