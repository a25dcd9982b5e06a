import type { Selectable } from 'kysely';
import type { CourseOfferingTable } from '../course/course.tables';
import type { Db } from '../db/database';
import { notify } from '../mail/notices';
import { renderEmail } from '../mail/render';
import type { Deadline } from '../portfolio/deadlines';
import { formatDeadline, formatLocalDate, withDateLanguage } from '../time';

/**
 * Tells the student the instructor's decision on their extension request: an inbox entry and an
 * email (src/mail/notices.ts), inside the instructor's transaction (the worker sends the email
 * after commit); the due date is shown in the student's own zone. Once per request (dedupe key).
 */
export interface DecisionNotice {
  requestId: number;
  approved: boolean;
  /** The recipient: their zone and language of dates (src/time.ts) write the dates, whoever decided. */
  student: { id: number; name: string; email: string; zone: string; dateLanguage: string };
  offering: Selectable<CourseOfferingTable>;
  portfolio: string;
  /** The student's due date after the decision (extension included). */
  due: Deadline;
  message: string | null;
  baseUrl: string;
  now: Date;
  /** The instructor granted it without a request (the message is their reason). */
  grantedByInstructor?: boolean;
}

export async function notifyExtensionDecision(db: Db, n: DecisionNotice): Promise<void> {
  return withDateLanguage(n.student.dateLanguage, () => writeDecision(db, n));
}

async function writeDecision(db: Db, n: DecisionNotice): Promise<void> {
  const dueWhen = formatDeadline(n.due.dueAt, n.student.zone);
  const email = await renderEmail('extension-decision', {
    course: `${n.offering.code} ${n.offering.title}`,
    name: n.student.name,
    approved: n.approved,
    grantedByInstructor: !!n.grantedByInstructor,
    portfolio: n.portfolio,
    dueOn: formatLocalDate(n.due.dueOn),
    dueWhen,
    zone: n.student.zone.replace(/_/g, ' '),
    extended: n.due.extended,
    message: n.message ?? '',
    instructor: n.offering.instructor_name,
    portfolioUrl: `${n.baseUrl}/portfolios/${n.due.requirementId}`,
  });
  const verdict = n.grantedByInstructor ? 'granted' : n.approved ? 'approved' : 'declined';
  const headline = `Extension ${verdict}: ${n.portfolio}${n.approved ? `, now due ${formatLocalDate(n.due.dueOn)}` : ''}`;
  await notify(db, {
    kind: 'extension_decision',
    user: { id: n.student.id, email: n.student.email },
    title: headline,
    summary: `${n.approved ? 'Submit by' : 'Your due date is unchanged: submit by'} ${dueWhen}.${n.message ? ` ${n.offering.instructor_name}: “${n.message}”` : ''}`,
    url: `/portfolios/${n.due.requirementId}`,
    email: { subject: `[${n.offering.code}] ${headline}`, text: email.text, html: email.html },
    dedupeKey: `extension-decision:${n.requestId}`,
    now: n.now,
    baseUrl: n.baseUrl,
  });
}
