import { usersRepository } from '../accounts/users.repository';
import { courseRepository } from '../course/course.repository';
import type { Db } from '../db/database';
import { notify } from '../mail/notices';
import { renderEmail } from '../mail/render';
import { formatDateTime, formatDeadline, formatDuration } from '../time';
import type { ItemKind } from './checklist';
import type { Deadline } from './deadlines';
import type { PortfolioSnapshot } from './snapshot';

/**
 * Confirms a portfolio submission to the student (an inbox entry and an email, in the submit's
 * own transaction): when it was recorded, on time or late against their due date (extension
 * included), what was frozen and what was missing. Once per submission.
 */
export interface SubmissionRecorded {
  studentId: number;
  offeringId: number;
  submissionId: number;
  deadline: Deadline;
  submittedAt: Date;
  isLate: boolean;
  lateBySeconds: number;
  snapshot: PortfolioSnapshot;
  missing: string[];
  baseUrl: string;
}

const KIND_WORDS: Record<ItemKind, [string, string]> = {
  study_guide: ['study guide', 'study guides'],
  team_artifact: ['Team Practice artifact', 'Team Practice artifacts'],
  peer_assessment: ['peer assessment', 'peer assessments'],
  reflection: ['reflection', 'reflections'],
};

/** "6 study guides, 6 Team Practice artifacts, 1 peer assessment and 1 reflection" (only what is there). */
function frozenWords(snapshot: PortfolioSnapshot): string {
  const counts = new Map<ItemKind, number>();
  for (const item of snapshot.items) if (item.present) counts.set(item.kind, (counts.get(item.kind) ?? 0) + 1);
  const parts = (Object.keys(KIND_WORDS) as ItemKind[]).flatMap((k) => {
    const n = counts.get(k) ?? 0;
    return n ? [`${n} ${KIND_WORDS[k][n === 1 ? 0 : 1]}`] : [];
  });
  if (parts.length === 0) return 'nothing (every item was missing)';
  return parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

export async function noticeOfSubmission(trx: Db, s: SubmissionRecorded): Promise<void> {
  const [student, offering] = await Promise.all([usersRepository.findById(trx, s.studentId), courseRepository.offering(trx, s.offeringId)]);
  if (!student) return;
  const zone = student.time_zone;
  const when = formatDateTime(s.submittedAt, zone);
  const due = formatDeadline(s.deadline.dueAt, zone);
  const timing = s.isLate ? `late by ${formatDuration(s.lateBySeconds * 1000)} (due ${due})` : `on time (due ${due})`;
  const frozen = frozenWords(s.snapshot);
  const url = `/portfolios/${s.deadline.requirementId}/submissions/${s.submissionId}`;
  const email = await renderEmail('portfolio-submitted', {
    course: `${offering.code} ${offering.title}`,
    name: student.name,
    portfolio: s.deadline.title,
    when,
    zone: zone.replace(/_/g, ' '),
    timing,
    frozen,
    missing: s.missing,
    instructor: offering.instructor_name,
    submissionUrl: `${s.baseUrl}${url}`,
  });
  await notify(trx, {
    kind: 'portfolio_submitted',
    user: { id: student.id, email: student.email },
    title: `Your ${s.deadline.title} was submitted`,
    summary: `Recorded ${when}: ${timing}. Frozen: ${frozen}.${s.missing.length ? ` Missing: ${s.missing.join('; ')}.` : ''}`,
    url,
    email: { subject: `[${offering.code}] Submitted: ${s.deadline.title} (${s.isLate ? 'late' : 'on time'})`, text: email.text, html: email.html },
    dedupeKey: `portfolio-submitted:${s.submissionId}`,
    now: s.submittedAt,
    baseUrl: s.baseUrl,
  });
}
