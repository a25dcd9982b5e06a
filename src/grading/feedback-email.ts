import type { Db } from '../db/database';
import { notify } from '../mail/notices';
import { renderEmail } from '../mail/render';

/**
 * Tells the student that feedback on their portfolio is ready (not the grade itself: they read
 * it on the feedback page): an inbox entry and an email (src/mail/notices.ts), inside the grading
 * transaction; the worker sends the email after commit. Once per grade change (dedupe key).
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
  now: Date;
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
  const headline = n.hasFeedback
    ? `${n.updated ? 'Updated feedback' : 'Feedback'} on your ${n.portfolio} is ready`
    : `Your ${n.portfolio} has ${n.updated ? 'an updated grade' : 'been graded'}`;
  await notify(db, {
    kind: 'feedback_ready',
    user: { id: n.student.id, email: n.student.email },
    title: headline,
    summary: 'Your grade and the feedback are on the feedback page.',
    url: `/portfolios/${n.requirementId}/feedback`,
    email: { subject: `[${n.course.code}] ${headline}`, text: email.text, html: email.html },
    dedupeKey: `feedback-ready:${n.gradeEventId}`,
    now: n.now,
    baseUrl: n.baseUrl,
  });
}
