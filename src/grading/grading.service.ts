import { readOne } from '../db/reads';
import { extensionRequestsRead } from '../portfolio/extension-requests';
import { usersRepository } from '../accounts/users.repository';
import { certificateFactsFor } from './certificate-facts';
import { courseCache } from '../course/course-cache';
import { courseRepository } from '../course/course.repository';
import { agsService } from '../lti/ags/ags.service';
import type { Db } from '../db/database';
import { NotFound } from '../errors';
import { peerAssessmentRepository } from '../portfolio/peer-assessments.repository';
import { snapshotView } from '../portfolio/snapshot';
import { submissionsRepository } from '../portfolio/submissions.repository';
import { formatDateTime, formatDeadline, formatDuration, formatLocalDate } from '../time';
import { labelledText, requireCurrentVersion, versionToken } from '../versions';
import { notifyFeedbackReady } from './feedback-email';
import { gradingRepository as repo } from './grading.repository';
import type { GradeInput } from './grading.schemas';
import type { SU } from './grading.tables';
import { GRADE_MEANINGS, GRADE_NAMES, RACKHAM_QUOTE, RACKHAM_SOURCE } from './rackham';

/**
 * S/U grading of a frozen portfolio submission. Only the instructor of the student's offering
 * grades. Each change to a grade (or its feedback) updates the current grade and appends one
 * audit row (who, when, old → new, feedback) and one "feedback ready" email to the outbox, all
 * in the instructor's transaction. Saving the same grade and feedback again changes nothing.
 */
export interface Instructor {
  id: number;
  offeringId: number;
}

type GradeEvent = Awaited<ReturnType<typeof repo.eventsFor>>[number];

export function historyView(events: GradeEvent[], zone: string) {
  return events
    .map((e) => ({
      at: formatDateTime(e.at, zone),
      actor: e.actor_name,
      change: `${e.old_grade ?? 'none'} → ${e.new_grade}`,
      feedbackChanged: e.old_feedback !== null && e.old_feedback !== e.feedback,
      feedback: e.feedback,
      submissionId: e.portfolio_submission_id,
    }))
    .reverse();
}

async function submissionOf(db: Db, me: Instructor, submissionId: number) {
  const s = await submissionsRepository.find(db, submissionId);
  if (!s || s.offering_id !== me.offeringId) throw new NotFound('We could not find that submission.');
  const requirement = (await courseRepository.portfolioRequirements(db, me.offeringId)).find((r) => r.id === s.portfolio_requirement_id);
  if (!requirement) throw new NotFound('We could not find that submission.');
  return { s, requirement };
}

/** Everything the grader needs on one page. */
async function gradingPage(db: Db, me: Instructor, submissionId: number, zone: string) {
  const { s, requirement } = await submissionOf(db, me, submissionId);
  const [all, extensions, assessments, current, events] = await Promise.all([
    readOne(db, submissionsRepository.listForRead(db, s.user_id, s.portfolio_requirement_id)),
    readOne(db, extensionRequestsRead.listForStudent(db, s.user_id, s.portfolio_requirement_id)),
    peerAssessmentRepository.submittedAbout(db, s.user_id, s.portfolio_requirement_id),
    repo.currentOf(db, s.user_id, s.portfolio_requirement_id),
    repo.eventsFor(db, [s.user_id], s.portfolio_requirement_id),
  ]);
  const approved = extensions.find((x) => x.status === 'approved');
  return {
    submission: {
      id: s.id,
      studentId: s.user_id,
      studentName: s.student_name,
      requirementId: requirement.id,
      requirementTitle: requirement.title,
      edxCode: requirement.edx_code,
      submittedAt: formatDateTime(s.submitted_at, zone),
      dueAt: formatDeadline(s.due_at, zone),
      originalDueAt: formatDeadline(requirement.due_at, zone),
      late: s.is_late,
      lateBy: s.is_late ? formatDuration(s.late_by_seconds * 1000) : null,
      complete: s.is_complete,
      latest: all[0]?.id === s.id,
    },
    snapshot: snapshotView(s.snapshot, zone),
    submissions: all.map((x) => ({ id: x.id, at: formatDateTime(x.submitted_at, zone), late: x.is_late, complete: x.is_complete, current: x.id === s.id })),
    extension: approved
      ? {
          grantedOn: approved.granted_due_on ? formatLocalDate(approved.granted_due_on) : '—',
          requestedAt: formatDateTime(approved.requested_at, zone),
          madeBeforeDue: approved.made_before_due,
          decidedAt: approved.decided_at ? formatDateTime(approved.decided_at, zone) : null,
          decidedBy: approved.decided_by_name,
        }
      : null,
    extensionRequests: extensions.map((x) => ({
      status: x.status,
      requestedAt: formatDateTime(x.requested_at, zone),
      madeBeforeDue: x.made_before_due,
      proposedOn: formatLocalDate(x.proposed_due_on),
    })),
    peerAssessments: assessments.map((a) => ({
      assessorName: a.assessor_name,
      at: formatDateTime(a.created_at, zone),
      answers: {
        collegial_interactions: a.collegial_interactions,
        work_products: a.work_products,
        strength: a.strength,
        suggestion: a.suggestion,
        comments: a.comments,
      },
    })),
    grade: current
      ? {
          grade: current.grade,
          name: GRADE_NAMES[current.grade],
          feedback: current.feedback,
          at: formatDateTime(current.graded_at, zone),
          by: current.graded_by_name,
          forThisSubmission: current.portfolio_submission_id === s.id,
          submissionId: current.portfolio_submission_id,
        }
      : null,
    history: historyView(events, zone),
    baseVersion: versionToken(events.length ? Math.max(...events.map((e) => e.id)) : null),
    meanings: GRADE_MEANINGS,
  };
}

const gradeText = (g: { grade: string; feedback: string }) =>
  labelledText([
    { label: 'Grade', text: g.grade },
    { label: 'Feedback', text: g.feedback },
  ]);

export type GradeResult = { changed: boolean; grade: SU; studentName: string };

async function recordGrade(trx: Db, me: Instructor, submissionId: number, input: GradeInput, now: Date, baseUrl: string): Promise<GradeResult> {
  const { s, requirement } = await submissionOf(trx, me, submissionId);
  const base = {
    userId: s.user_id,
    requirementId: s.portfolio_requirement_id,
    submissionId: s.id,
    grade: input.grade,
    feedback: input.feedback,
    by: me.id,
    at: now,
  };
  let gradeId = await repo.insertIfAbsent(trx, base);
  let old: { grade: SU; feedback: string } | null = null;
  if (gradeId === undefined) {
    const current = (await repo.currentForUpdate(trx, s.user_id, s.portfolio_requirement_id))!;
    // Another grader (or another tab) may have graded since this form was opened.
    const latest = await repo.latestEvent(trx, s.user_id, s.portfolio_requirement_id);
    requireCurrentVersion(
      { token: versionToken(latest?.id), text: gradeText(current), by: latest?.actor_name ?? null, at: latest?.at ?? current.graded_at },
      {
        what: 'grade and feedback',
        base: input.base_version,
        text: gradeText(input),
        fields: [{ name: 'feedback', label: 'Feedback for the student' }],
      },
    );
    if (current.grade === input.grade && current.feedback === input.feedback && current.portfolio_submission_id === s.id) {
      return { changed: false, grade: current.grade, studentName: s.student_name };
    }
    gradeId = current.id;
    old = { grade: current.grade, feedback: current.feedback };
    await repo.update(trx, gradeId, base);
  }
  const eventId = await repo.insertEvent(trx, {
    gradeId,
    userId: s.user_id,
    requirementId: s.portfolio_requirement_id,
    submissionId: s.id,
    actorId: me.id,
    at: now,
    oldGrade: old?.grade ?? null,
    newGrade: input.grade,
    oldFeedback: old?.feedback ?? null,
    feedback: input.feedback,
  });
  // A changed grade goes back to the platform's line items the student launched from (src/lti/ags/).
  await agsService.queueScores(trx, {
    gradeEventId: eventId,
    userId: s.user_id,
    requirementId: s.portfolio_requirement_id,
    grade: input.grade,
    previousGrade: old?.grade ?? null,
    gradedAt: now,
    now,
  });
  const [student, offering] = await Promise.all([usersRepository.findById(trx, s.user_id), courseRepository.offering(trx, me.offeringId)]);
  await notifyFeedbackReady(trx, {
    gradeEventId: eventId,
    hasFeedback: input.feedback.trim() !== '',
    student: { id: s.user_id, name: student!.name, email: student!.email },
    course: { code: offering.code, title: offering.title, instructor: offering.instructor_name },
    portfolio: requirement.title,
    requirementId: requirement.id,
    updated: old !== null,
    baseUrl,
    now,
  });
  return { changed: true, grade: input.grade, studentName: s.student_name };
}

/** The student's own grade and feedback for a portfolio, with what S and U mean. */
async function feedbackPage(db: Db, student: { id: number; offeringId: number }, requirementId: number, zone: string) {
  const snapshot = await courseCache.current(db, student.offeringId);
  const requirement = snapshot.requirements.find((r) => r.id === requirementId);
  if (!requirement) throw new NotFound('We could not find that portfolio.');
  const course = { edxCode: requirement.edx_code, edxTitle: requirement.edx_title };
  const [current, facts] = await Promise.all([repo.currentOf(db, student.id, requirementId), certificateFactsFor(db, snapshot, [student.id])]);
  const certificates = facts.certificates.get(student.id)!;
  return {
    requirement: { id: requirementId, edxCode: course.edxCode, edxTitle: course.edxTitle },
    grade: current
      ? {
          grade: current.grade,
          name: GRADE_NAMES[current.grade],
          meaning: GRADE_MEANINGS[current.grade],
          feedback: current.feedback,
          at: formatDateTime(current.graded_at, zone),
          submissionId: current.portfolio_submission_id,
        }
      : null,
    certificate: certificates.courses.find((c) => c.edxCode === course.edxCode)!,
    bothCertificates: certificates.both,
    rackham: RACKHAM_QUOTE,
    rackhamSource: RACKHAM_SOURCE,
  };
}

export const gradingService = Object.freeze({ gradingPage, recordGrade, feedbackPage });
