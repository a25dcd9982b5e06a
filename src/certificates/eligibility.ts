/**
 * MichiganX certificate eligibility (syllabus section 7): a student with an S on an edX course's
 * portfolio has completed all requirements for that course's certificate; "both courses" when
 * every edX course of the offering is complete. Pure, so the gradebook, the CSV export and the
 * student's page compute it the same way from grades they already read.
 */
export interface CertificateCourse {
  requirementId: number;
  edxCode: string;
  edxTitle: string;
}

export interface CertificateStatus {
  courses: { edxCode: string; edxTitle: string; grade: 'S' | 'U' | null; eligible: boolean }[];
  eligibleCount: number;
  both: boolean;
}

export function certificateStatus(courses: readonly CertificateCourse[], gradeOf: (requirementId: number) => 'S' | 'U' | null): CertificateStatus {
  const rows = courses.map((c) => {
    const grade = gradeOf(c.requirementId);
    return { edxCode: c.edxCode, edxTitle: c.edxTitle, grade, eligible: grade === 'S' };
  });
  const eligibleCount = rows.filter((r) => r.eligible).length;
  return { courses: rows, eligibleCount, both: rows.length > 0 && eligibleCount === rows.length };
}
