import { courseCache } from '../course/course-cache';
import type { Db } from '../db/database';
import { certificateFactsFor } from '../grading/certificate-facts';
import { requirementsText } from '../grading/certificate-eligibility';

/**
 * The student's certificate page: for each edX course, whether they meet every requirement the
 * course data lists for its MichiganX certificate, and if not, exactly what is still missing.
 * MichiganX issues the certificates; this page only says what we can see.
 */
export const SYLLABUS_SECTION_7 =
  'Learners who successfully complete all requirements for LeadEd502x and LeadEd503x will receive MichiganX certificates for both courses, representing successful completion of two of the five courses comprising the School of Education’s Leading Educational Innovation and Improvement MicroMasters program.';

async function studentPage(db: Db, student: { id: number; offeringId: number }) {
  const course = await courseCache.current(db, student.offeringId);
  const facts = await certificateFactsFor(db, course, [student.id]);
  const status = facts.certificates.get(student.id)!;
  return {
    status,
    courses: status.courses,
    requirements: requirementsText(facts.rule),
    quote: SYLLABUS_SECTION_7,
  };
}

export const certificatesService = Object.freeze({ studentPage });
