import type { Db } from '../db/database';
import { enqueueEmail } from '../mail/outbox';
import { renderEmail } from '../mail/render';

/**
 * Tells the student that feedback on their portfolio is ready (not the grade itself: they read
 * it on the feedback page). Written to the outbox inside the grading transaction; the worker
 * sends it after commit. One message per grade change (dedupe key).
 */
export interface FeedbackNotice {
  gradeEventId: number;
  student: { id: number; name: string; email: string };
  course: { code: string; title: string; instructor: string };
  portfolio: string;
  requirementId: number;
  updated: boolean;
  /** An S may come without written feedback: then the email does not promise any. */
  hasFeedback: boolean;
  baseUrl: string;
}

export async function notifyFeedbackReady(db: Db, n: FeedbackNotice): Promise<void> {
  const email = await renderEmail('feedback-ready', {
    course: `${n.course.code} ${n.course.title}`,
    name: n.student.name,
    portfolio: n.portfolio,
    updated: n.updated,
    hasFeedback: n.hasFeedback,
    instructor: n.course.instructor,
    feedbackUrl: `${n.baseUrl}/portfolios/${n.requirementId}/feedback`,
  });
  await enqueueEmail(db, {
    kind: 'feedback_ready',
    userId: n.student.id,
    to: n.student.email,
    subject: `[${n.course.code}] ${n.hasFeedback ? `${n.updated ? 'Updated feedback' : 'Feedback'} on your ${n.portfolio} is ready` : `Your ${n.portfolio} has ${n.updated ? 'an updated grade' : 'been graded'}`}`,
    text: email.text,
    html: email.html,
    dedupeKey: `feedback-ready:${n.gradeEventId}`,
    baseUrl: n.baseUrl,
  });
}
