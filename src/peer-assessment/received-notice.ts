import { usersRepository } from '../accounts/users.repository';
import { courseRepository } from '../course/course.repository';
import type { Db } from '../db/database';
import { notify } from '../mail/notices';
import { renderEmail } from '../mail/render';

/**
 * Tells a student that a peer assessment of their work was submitted (an inbox entry and an
 * email, in the assessor's transaction). It does not name the assessor or quote the answers:
 * the student reads them on their received-assessments page. Once per submitted version (a
 * resubmission is an update and says so).
 */
export interface AssessmentReceived {
  assignmentId: number;
  versionNo: number;
  assesseeId: number;
  offeringId: number;
  requirementId: number;
  portfolio: string;
  /** An earlier version of this assessment was already submitted. */
  updated: boolean;
  now: Date;
  baseUrl: string;
}

export async function noticeOfAssessmentReceived(trx: Db, r: AssessmentReceived): Promise<void> {
  const [student, offering] = await Promise.all([usersRepository.findById(trx, r.assesseeId), courseRepository.offering(trx, r.offeringId)]);
  if (!student) return;
  const url = `/peer-assessments/received/${r.requirementId}`;
  const email = await renderEmail('peer-assessment-received', {
    course: `${offering.code} ${offering.title}`,
    name: student.name,
    portfolio: r.portfolio,
    updated: r.updated,
    instructor: offering.instructor_name,
    receivedUrl: `${r.baseUrl}${url}`,
  });
  const title = r.updated ? `A peer assessment of your work was updated (${r.portfolio})` : `A peer assessment of your work was submitted (${r.portfolio})`;
  await notify(trx, {
    kind: 'peer_assessment_received',
    user: { id: student.id, email: student.email },
    title,
    summary: `It will be part of your ${r.portfolio}. Read it on your peer assessment page.`,
    url,
    email: { subject: `[${offering.code}] ${title}`, text: email.text, html: email.html },
    dedupeKey: `peer-assessment-received:${r.assignmentId}:${r.versionNo}`,
    now: r.now,
    baseUrl: r.baseUrl,
  });
}
