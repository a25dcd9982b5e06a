import { courseRepository } from '../course/course.repository';
import type { Db } from '../db/database';
import { gradingRepository } from '../grading/grading.repository';
import { certificateStatus, type CertificateCourse } from './eligibility';

/**
 * The student's certificate page: for each edX course, whether the S on its portfolio completes
 * the requirements for the MichiganX certificate, and whether both courses are complete.
 */
export const SYLLABUS_SECTION_7 =
  'Learners who successfully complete all requirements for LeadEd502x and LeadEd503x will receive MichiganX certificates for both courses, representing successful completion of two of the five courses comprising the School of Education’s Leading Educational Innovation and Improvement MicroMasters program.';

export async function certificateCourses(db: Db, offeringId: number): Promise<CertificateCourse[]> {
  const requirements = await courseRepository.portfolioRequirements(db, offeringId);
  return requirements.map((r) => ({ requirementId: r.id, edxCode: r.edx_code, edxTitle: r.edx_title }));
}

async function studentPage(db: Db, student: { id: number; offeringId: number }) {
  const [courses, grades] = await Promise.all([certificateCourses(db, student.offeringId), gradingRepository.gradesFor(db, [student.id])]);
  const gradeOf = new Map(grades.map((g) => [g.portfolio_requirement_id, g.grade]));
  const status = certificateStatus(courses, (id) => gradeOf.get(id) ?? null);
  return {
    status,
    courses: status.courses.map((c, i) => ({ ...c, requirementId: courses[i].requirementId })),
    quote: SYLLABUS_SECTION_7,
  };
}

export const certificatesService = Object.freeze({ studentPage });
