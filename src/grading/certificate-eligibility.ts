import type { CertificateRequirement, CertificateRule } from '../course/certificate-rule';

/**
 * MichiganX certificate eligibility (syllabus section 7: "successfully complete all requirements
 * for LeadEd502x and LeadEd503x"; Appendices A and B: "all the assignments and tasks in all
 * lessons"). The one place the rule lives: pure, fed by one batched read (certificate-facts.ts),
 * so the student's page, the gradebook and its CSV say the same thing. It sits in grading/, beside
 * the grade it ends on and the gradebook that shows it; the certificate page (certificates/) reads
 * it from here. Which requirements count
 * is course data (course_offering.certificate_rule). Each edX course is judged on its own;
 * "both" when every edX course of the offering meets every requirement.
 *
 * An S on an incomplete or late portfolio is the instructor's call and stays possible, but it
 * does not by itself meet the requirements: the other requirements are checked as well.
 */
export interface CertificateLesson {
  unitId: number;
  lessonNumber: number;
}

export interface CertificateCourse {
  edxCourseId: number;
  requirementId: number;
  edxCode: string;
  edxTitle: string;
  lessons: CertificateLesson[];
}

/** What one student has done toward one edX course (read in batches; see certificate-facts.ts). */
export interface CourseWork {
  /** Components marked done per lesson unit. */
  componentsDone: (unitId: number) => ReadonlySet<number>;
  studyGuide: (unitId: number) => boolean;
  teamArtifact: (unitId: number) => boolean;
  /** The latest submission. Lateness is not a requirement: the grade is the instructor's call on it. */
  submission: { isComplete: boolean } | null;
  grade: 'S' | 'U' | null;
  /** What the latest imported edX grade report says (`imported: false`: no report yet, nothing to check against). */
  edx: { imported: false } | { imported: true; listed: false } | { imported: true; listed: true; grade: number; unenrolled: boolean };
}

export interface CourseCertificate {
  edxCode: string;
  edxTitle: string;
  requirementId: number;
  grade: 'S' | 'U' | null;
  eligible: boolean;
  /** What is still missing, in course vocabulary ("Lesson 04: study guide"). Empty when eligible. */
  missing: string[];
  /** Requirements the rule asks for that could not be checked (no edX report imported yet). */
  unchecked: string[];
}

export interface CertificateStatus {
  courses: CourseCertificate[];
  eligibleCount: number;
  both: boolean;
}

const pad = (n: number) => String(n).padStart(2, '0');
const percent = (x: number) => `${Math.round(x * 100)}%`;

function lessonGaps(rule: Set<CertificateRequirement>, course: CertificateCourse, components: { id: number; name: string }[], work: CourseWork): string[] {
  const out: string[] = [];
  for (const l of course.lessons) {
    const gaps: string[] = [];
    if (rule.has('study_guide') && !work.studyGuide(l.unitId)) gaps.push('study guide');
    if (rule.has('team_artifact') && !work.teamArtifact(l.unitId)) gaps.push('team artifact');
    if (rule.has('components') && components.length) {
      const done = work.componentsDone(l.unitId);
      const notDone = components.filter((c) => !done.has(c.id));
      if (notDone.length === components.length) gaps.push('no components done');
      else if (notDone.length) gaps.push(`${notDone.map((c) => c.name).join(', ')} not done`);
    }
    if (gaps.length) out.push(`Lesson ${pad(l.lessonNumber)}: ${gaps.join('; ')}`);
  }
  return out;
}

function portfolioGaps(rule: Set<CertificateRequirement>, work: CourseWork): string[] {
  const out: string[] = [];
  const s = work.submission;
  if ((rule.has('portfolio_complete') || rule.has('portfolio_s')) && !s) return ['portfolio not submitted'];
  if (rule.has('portfolio_complete') && s && !s.isComplete) out.push('portfolio submitted incomplete');
  if (rule.has('portfolio_s')) {
    if (work.grade === 'U') out.push('portfolio graded U');
    else if (work.grade === null) out.push('portfolio not graded yet');
  }
  return out;
}

function edxGaps(rule: CertificateRule, work: CourseWork): { missing: string[]; unchecked: string[] } {
  if (!rule.requires.includes('edx_passed')) return { missing: [], unchecked: [] };
  const e = work.edx;
  if (!e.imported) return { missing: [], unchecked: ['edX: no grade report imported yet'] };
  if (!e.listed) return { missing: ['edX: not in the imported grade report'], unchecked: [] };
  if (e.unenrolled) return { missing: ['edX: unenrolled'], unchecked: [] };
  if (e.grade < rule.edxMinimumGrade) return { missing: [`edX course grade ${percent(e.grade)} (needs ${percent(rule.edxMinimumGrade)})`], unchecked: [] };
  return { missing: [], unchecked: [] };
}

/** One student's eligibility for each edX course of the offering, and for both. */
export function certificateStatus(
  rule: CertificateRule,
  courses: readonly CertificateCourse[],
  components: { id: number; name: string }[],
  workOf: (course: CertificateCourse) => CourseWork,
): CertificateStatus {
  const required = new Set(rule.requires);
  const rows = courses.map((c): CourseCertificate => {
    const work = workOf(c);
    const edx = edxGaps(rule, work);
    const missing = [...lessonGaps(required, c, components, work), ...portfolioGaps(required, work), ...edx.missing];
    return {
      edxCode: c.edxCode,
      edxTitle: c.edxTitle,
      requirementId: c.requirementId,
      grade: work.grade,
      eligible: missing.length === 0,
      missing,
      unchecked: edx.unchecked,
    };
  });
  const eligibleCount = rows.filter((r) => r.eligible).length;
  return { courses: rows, eligibleCount, both: rows.length > 0 && eligibleCount === rows.length };
}

/** "Lesson 04: study guide; portfolio graded U", or the honest line when nothing is missing; then what could not be checked. */
export function missingText(c: CourseCertificate): string {
  const text = c.eligible ? 'meets every requirement we track' : c.missing.join('; ');
  return c.unchecked.length ? `${text} (not checked: ${c.unchecked.join('; ')})` : text;
}

const LABELS: Record<CertificateRequirement, string> = {
  components: 'every lesson component marked done, in every lesson',
  study_guide: 'a study guide for every lesson',
  team_artifact: 'a Team Practice artifact for every lesson',
  portfolio_complete: 'the portfolio submitted with every item',
  portfolio_s: 'the portfolio graded S',
  edx_passed: 'on edX: enrolled, with a course grade of at least',
};

/** The rule in words, for the pages that apply it. */
export function requirementsText(rule: CertificateRule): string[] {
  return rule.requires.map((r) =>
    r === 'edx_passed' ? `${LABELS[r]} ${percent(rule.edxMinimumGrade)} (checked once an edX grade report is imported)` : LABELS[r],
  );
}
