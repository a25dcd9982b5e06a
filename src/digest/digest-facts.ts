import { usersRepository } from '../accounts/users.repository';
import { attendanceRepository } from '../attendance/attendance.repository';
import { courseCache } from '../course/course-cache';
import type { Db } from '../db/database';
import { undeliverableRepository, normalizeAddress } from '../mail/undeliverable.repository';
import { extensionRequestsRepository } from '../portfolio/extension-requests.repository';
import { submissionsRepository } from '../portfolio/submissions.repository';
import { paceFor } from '../progress/pace';

/**
 * What an instructor's daily digest reports for one window [from, to): each fact read from the
 * feature that owns it, for the offering's active students only (a dropped student's request,
 * notice or late submission is not news). "Newly behind" is behind by 2+ lessons now and not
 * counted as behind by the previous run (`previouslyBehind`; null for a first run: then every
 * student behind by 2+ is listed, and the digest says it is the first).
 */
export const BEHIND_THRESHOLD = 2;

export interface DigestFacts {
  extensionRequests: Awaited<ReturnType<typeof extensionRequestsRepository.requestedBetween>>;
  absenceNotices: Awaited<ReturnType<typeof attendanceRepository.noticesSubmittedBetween>>;
  lateSubmissions: (Awaited<ReturnType<typeof submissionsRepository.lateSubmittedBetween>>[number] & { requirement_title: string })[];
  newlyBehind: { userId: number; name: string; behindBy: number; catchUp: string | null }[];
  undeliverable: { userId: number; name: string; address: string; smtpReply: string; markedAt: Date }[];
  /** Every student behind by 2+ now (the next run's `previouslyBehind`). */
  behindNow: number[];
  firstRun: boolean;
}

export function factCount(f: DigestFacts): number {
  return f.extensionRequests.length + f.absenceNotices.length + f.lateSubmissions.length + f.newlyBehind.length + f.undeliverable.length;
}

export async function gatherDigestFacts(db: Db, offeringId: number, window: { from: Date; to: Date }, previouslyBehind: number[] | null): Promise<DigestFacts> {
  const { from, to } = window;
  const students = await usersRepository.activeStudents(db, offeringId);
  const active = new Map(students.map((s) => [s.id, s]));
  const ofActive = <T extends { user_id: number }>(rows: T[]) => rows.filter((r) => active.has(r.user_id));
  const [requests, notices, late, course, pace, marks] = await Promise.all([
    extensionRequestsRepository.requestedBetween(db, offeringId, from, to),
    attendanceRepository.noticesSubmittedBetween(db, offeringId, from, to),
    submissionsRepository.lateSubmittedBetween(db, offeringId, from, to),
    courseCache.current(db, offeringId),
    paceFor(
      db,
      offeringId,
      students.map((s) => s.id),
      to,
    ),
    undeliverableRepository.find(
      db,
      students.map((s) => s.email),
    ),
  ]);
  const titles = new Map(course.requirements.map((r) => [r.id, r.title]));
  const behindNow = students.filter((s) => (pace.get(s.id)?.behindBy ?? 0) >= BEHIND_THRESHOLD && pace.get(s.id)?.status !== 'finished').map((s) => s.id);
  const before = new Set(previouslyBehind ?? []);
  return {
    extensionRequests: ofActive(requests),
    absenceNotices: ofActive(notices),
    lateSubmissions: ofActive(late).map((s) => ({ ...s, requirement_title: titles.get(s.portfolio_requirement_id) ?? 'Portfolio' })),
    newlyBehind: behindNow
      .filter((id) => !before.has(id))
      .map((id) => {
        const p = pace.get(id)!;
        const catchUp = p.catchUp ? `${p.catchUp.edxCode} Lesson ${String(p.catchUp.lessonNumber).padStart(2, '0')}` : null;
        return { userId: id, name: active.get(id)!.name, behindBy: p.behindBy, catchUp };
      }),
    undeliverable: students.flatMap((s) => {
      const mark = marks.get(normalizeAddress(s.email));
      return mark && mark.markedAt >= from && mark.markedAt < to
        ? [{ userId: s.id, name: s.name, address: s.email, smtpReply: mark.smtpReply, markedAt: mark.markedAt }]
        : [];
    }),
    behindNow,
    firstRun: previouslyBehind === null,
  };
}
