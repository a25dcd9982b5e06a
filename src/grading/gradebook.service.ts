import { absencesFromRequiredMeetings } from '../attendance/absences';
import { certificateFactsFor } from './certificate-facts';
import { missingText, type CertificateStatus } from './certificate-eligibility';
import { courseCache, type CourseSnapshot } from '../course/course-cache';
import type { courseRepository } from '../course/course.repository';
import type { Db } from '../db/database';
import { agsService, type ScoreStatus } from '../lti/ags/ags.service';
import { extensionRequestsRepository } from '../portfolio/extension-requests.repository';
import type { Checklist } from '../portfolio/checklist';
import type { SubmissionSummary } from '../portfolio/submissions.repository';
import { formatDate, formatDateTime, formatDuration, formatLocalDate } from '../time';
import { gradebookRepository as repo, type GradebookFilter, type GradebookStudent } from './gradebook.repository';
import { gradingRepository, type GradeRow } from './grading.repository';
import type { GradebookQuery } from './grading.schemas';
import { historyView } from './grading.service';

/**
 * The gradebook: one row per active student, one column per portfolio (status, completeness,
 * grade and its history), certificate eligibility, filters by section and status, paged.
 * Per page: the cached course, the student query and its count (kept between views when only the
 * roster decides it), then a fixed set of batched reads covering every portfolio.
 */
export const PAGE_SIZE = 50;

export type Requirement = Awaited<ReturnType<typeof courseRepository.portfolioRequirements>>[number];
type Extension = Awaited<ReturnType<typeof extensionRequestsRepository.approvedForEach>> extends Map<string, infer X> ? X : never;
type Grade = GradeRow;

export interface PortfolioFacts {
  requirement: Requirement;
  submission: SubmissionSummary | null;
  extension: Extension | null;
  grade: Grade | null;
  /** The portfolio's items as they are now. */
  checklist: Checklist | null;
}

export interface StudentFacts {
  student: GradebookStudent;
  portfolios: PortfolioFacts[];
  certificates: CertificateStatus;
}

export function filterFor(query: Pick<GradebookQuery, 'section' | 'status' | 'portfolio'>, requirements: Requirement[]): GradebookFilter {
  const chosen = requirements.filter((r) => query.portfolio === null || r.id === query.portfolio);
  return { sectionId: query.section, status: query.status, requirementIds: (chosen.length ? chosen : requirements).map((r) => r.id) };
}

/**
 * Batched facts for a set of students, per portfolio: latest submission, approved extension,
 * grade, checklist; and certificate eligibility (src/certificates/eligibility.ts), whose one
 * batched read supplies the submissions, grades and checklists shown here too.
 */
export async function factsFor(db: Db, course: CourseSnapshot, students: GradebookStudent[]): Promise<StudentFacts[]> {
  const ids = students.map((s) => s.id);
  const requirements = course.requirements;
  const requirementIds = requirements.map((r) => r.id);
  const [facts, extensions] = await Promise.all([certificateFactsFor(db, course, ids), extensionRequestsRepository.approvedForEach(db, ids, requirementIds)]);
  const gradeOf = new Map(facts.grades.map((g) => [`${g.user_id}:${g.portfolio_requirement_id}`, g]));
  return students.map((student) => {
    const portfolios = requirements.map((requirement) => {
      return {
        requirement,
        submission: facts.submissions.get(`${student.id}:${requirement.id}`) ?? null,
        extension: extensions.get(`${student.id}:${requirement.id}`) ?? null,
        grade: gradeOf.get(`${student.id}:${requirement.id}`) ?? null,
        checklist: facts.checklists.get(requirement.id)?.get(student.id) ?? null,
      };
    });
    return { student, portfolios, certificates: facts.certificates.get(student.id)! };
  });
}

export function statusOf(p: PortfolioFacts): 'not submitted' | 'submitted' | 'late' {
  if (!p.submission) return 'not submitted';
  return p.submission.is_late ? 'late' : 'submitted';
}

/** Absences from required campus meetings per edX course (batched; see src/attendance/absences.ts). */
function requiredMeetingAbsences(db: Db, offeringId: number, userIds: number[]): Promise<Map<number, Map<number, number>> | null> {
  return absencesFromRequiredMeetings(db, offeringId, userIds);
}

/** The latest score sent back to the platform for this portfolio (only where the student launched from one). */
function scorePostView(post: ScoreStatus | undefined, zone: string) {
  if (!post) return null;
  const at = post.at ? formatDateTime(post.at, zone) : null;
  if (post.status === 'sent')
    return at ? { tone: 'sent', text: `Sent to edX ✓ (${at})`, answer: null } : { tone: 'neutral', text: 'Replaced by a newer grade', answer: null };
  if (post.status === 'failed') return { tone: 'failed', text: `Failed: ${post.lastAnswer ?? 'no answer'}`, answer: null };
  return {
    tone: 'queued',
    text: `Waiting to send (attempt ${post.attempts + 1})`,
    answer: post.attempts > 0 ? `Last try: ${post.lastAnswer ?? 'no answer'}; next try ${at}` : null,
  };
}

function cellView(p: PortfolioFacts, events: ReturnType<typeof historyView>, post: ScoreStatus | undefined, zone: string) {
  const status = statusOf(p);
  const s = p.submission;
  return {
    requirementId: p.requirement.id,
    code: p.requirement.edx_code,
    status: status === 'not submitted' ? 'Not submitted' : status === 'late' ? `Late by ${formatDuration(s!.late_by_seconds * 1000)}` : 'Submitted',
    state: status === 'not submitted' ? 'none' : status === 'late' ? 'late' : 'ok',
    submittedAt: s ? formatDateTime(s.submitted_at, zone) : null,
    incomplete: s ? !s.is_complete : false,
    extension: p.extension
      ? {
          on: p.extension.granted_due_on ? formatLocalDate(p.extension.granted_due_on) : '—',
          beforeDue: p.extension.made_before_due,
          byInstructor: p.extension.initiated_by === 'instructor',
        }
      : null,
    items: p.checklist ? `${p.checklist.presentCount} of ${p.checklist.total}` : '—',
    grade: p.grade?.grade ?? null,
    feedback: p.grade ? (p.grade.feedback.trim() ? 'yes' : 'no') : null,
    gradedAt: p.grade ? formatDateTime(p.grade.graded_at, zone) : null,
    regrade: !!(p.grade && s && p.grade.portfolio_submission_id !== s.id),
    gradeUrl: s ? `/instructor/submissions/${s.id}/grade` : null,
    history: events,
    scorePost: scorePostView(post, zone),
  };
}

export async function gradebookPage(db: Db, offeringId: number, query: GradebookQuery, zone: string) {
  const course = await courseCache.current(db, offeringId);
  const { requirements, sections } = course;
  const filter = filterFor(query, requirements);
  const { rows, total } = await repo.studentPage(db, offeringId, filter, PAGE_SIZE, (query.page - 1) * PAGE_SIZE);
  const ids = rows.map((r) => r.id);
  const [facts, events, absences, scorePosts] = await Promise.all([
    factsFor(db, course, rows),
    gradingRepository.eventsFor(db, ids),
    requiredMeetingAbsences(db, offeringId, ids),
    agsService.scoreStatuses(
      db,
      ids,
      requirements.map((r) => r.id),
    ),
  ]);
  const eventsOf = (userId: number, rid: number) =>
    historyView(
      events.filter((e) => e.user_id === userId && e.portfolio_requirement_id === rid),
      zone,
    );
  const students = facts.map((f) => ({
    id: f.student.id,
    name: f.student.name,
    email: f.student.email,
    section: f.student.section,
    droppedOn: f.student.dropped_at ? formatDate(f.student.dropped_at, zone) : null,
    portfolios: f.portfolios.map((p) => cellView(p, eventsOf(f.student.id, p.requirement.id), scorePosts.get(`${f.student.id}:${p.requirement.id}`), zone)),
    certificates: { ...f.certificates, courses: f.certificates.courses.map((c) => ({ ...c, text: missingText(c) })) },
    absences: absences ? requirements.map((r) => ({ code: r.edx_code, n: absences.get(f.student.id)?.get(r.edx_course_id) ?? 0 })) : null,
  }));
  return {
    students,
    total,
    page: query.page,
    pages: Math.max(1, Math.ceil(total / PAGE_SIZE)),
    requirements: requirements.map((r) => ({ id: r.id, title: r.title, code: r.edx_code })),
    sections: sections.map((s) => ({ id: s.id, code: s.code })),
    filters: { section: query.section, status: query.status, portfolio: query.portfolio },
    absencesAvailable: absences !== null,
  };
}
