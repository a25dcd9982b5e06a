import { attendanceRepository } from '../attendance/attendance.repository';
import { normalizeAddress, undeliverableRepository } from '../mail/undeliverable.repository';
import { extensionRequestsRepository } from '../portfolio/extension-requests.repository';
import { submissionsRepository } from '../portfolio/submissions.repository';
import { readOne } from '../db/reads';
import { absencesFromRequiredMeetings } from '../attendance/absences';
import { courseCache } from '../course/course-cache';
import type { Db } from '../db/database';
import { edxProgressFor, edxProgressLabel } from '../edx-import/edx-progress';
import { checklistsRead, type Checklist } from '../portfolio/checklist';
import { paceFromCompletions, semesterPosition } from '../progress/pace';
import { outlineOf, progressRepository } from '../progress/progress.repository';
import { daysUntil, formatDate, formatLocalDate } from '../time';
import { classOverviewRepository as repo } from './class-overview.repository';
import { DEFAULT_DIRECTION, type OverviewQuery } from './class-overview.schemas';

/**
 * The class overview: one row per student with everything the instructor needs to reach out
 * early (pace, last work, components, study guides and team artifacts, edX progress,
 * attendance, portfolios, extensions, reminders). Rows are flagged with the reasons a student
 * looks to be falling behind. A constant number of queries per page, whatever the class size.
 */
export const PAGE_SIZE = 50;
/** No saved work for this many days (while lessons are running) is a reason to reach out. */
export const QUIET_DAYS = 14;
/** This many absences from required meetings in one edX course is a reason to reach out. */
export const ABSENCE_FLAG = 2;

const EXTENSION_LABEL = { pending: 'Requested', approved: 'Granted', declined: 'Declined' } as const;

function portfolioStatus(checklist: Checklist | undefined, submission: { is_complete: boolean; is_late: boolean } | undefined) {
  if (submission) {
    const label = `${submission.is_complete ? 'Submitted' : 'Submitted incomplete'}${submission.is_late ? ', late' : ''}`;
    return { label, state: submission.is_complete ? 'ok' : 'warn' };
  }
  if (!checklist) return { label: '—', state: 'none' };
  return { label: `${checklist.presentCount} of ${checklist.total} items`, state: checklist.complete ? 'ok' : 'none' };
}

export async function overviewPage(db: Db, offeringId: number, query: OverviewQuery, zone: string, now: Date) {
  const course = await courseCache.current(db, offeringId);
  const { sections, requirements } = course;
  const outline = outlineOf(course);
  const position = semesterPosition(outline, now);
  const dir = query.dir ?? DEFAULT_DIRECTION[query.sort];
  const lessonUnitIds = outline.lessons.map((l) => l.unitId);
  const { rows, total } = await repo.studentPage(db, offeringId, {
    sectionId: query.section,
    search: query.q.trim(),
    behindOnly: query.behind === '1',
    sort: query.sort,
    dir,
    lessonUnitIds,
    expectedUnitIds: position.expected.map((l) => l.unitId),
    componentCount: outline.componentCount,
    limit: PAGE_SIZE,
    offset: (query.page - 1) * PAGE_SIZE,
  });
  const userIds = rows.map((r) => r.id);

  const [counts, edx, lastWork, absences, attendance, submissions, extensions, reminders, checklistsByRequirement, undeliverable] = await Promise.all([
    readOne(db, progressRepository.completionCountsRead(db, userIds, lessonUnitIds)),
    edxProgressFor(db, userIds),
    repo.lastWork(db, userIds),
    absencesFromRequiredMeetings(db, offeringId, userIds),
    attendanceRepository.countsByStudent(db, userIds),
    submissionsRepository.latestOfStudents(db, userIds),
    extensionRequestsRepository.latestOfStudents(db, userIds),
    repo.remindersSent(db, userIds),
    readOne(
      db,
      checklistsRead(
        db,
        course,
        requirements.map((r) => r.id),
        userIds,
      ),
    ),
    undeliverableRepository.find(
      db,
      rows.map((s) => s.email),
    ),
  ]);
  const checklists = requirements.map((r) => checklistsByRequirement.get(r.id)!);
  const pace = paceFromCompletions(outline, position, counts, userIds);

  const attendanceOf = new Map<number, Record<string, number>>();
  for (const a of attendance) attendanceOf.set(a.user_id, { ...attendanceOf.get(a.user_id), [a.status]: Number(a.n) });
  const key = (userId: number, reqId: number) => `${userId}:${reqId}`;
  const submissionOf = new Map(submissions.map((s) => [key(s.user_id, s.portfolio_requirement_id), s]));
  const extensionOf = new Map(extensions.map((x) => [key(x.user_id, x.portfolio_requirement_id), x]));
  const remindersOf = new Map(reminders.map((r) => [r.user_id, r]));
  const codeOfCourse = new Map(outline.edxCourses.map((c) => [c.id, c.code]));
  const lessonsRunning = position.phase === 'in_session' || position.phase === 'break';

  const students = rows.map((s) => {
    const p = pace.get(s.id)!;
    const done = [...(counts.get(s.id)?.values() ?? [])].reduce((a, b) => a + b, 0);
    const lists = requirements.map((r, i) => ({ req: r, checklist: checklists[i].get(s.id) }));
    const items = lists.flatMap((l) => l.checklist?.items ?? []);
    const work = lastWork.get(s.id) ?? null;
    const quietDays = work ? daysUntil(work, now, zone) : null;
    const requiredAbsences = [...(absences.get(s.id) ?? new Map<number, number>())].map(([courseId, n]) => ({ code: codeOfCourse.get(courseId) ?? '', n }));
    const reasons: string[] = [];
    if (p.behindBy > 0) reasons.push(p.label);
    if (lessonsRunning && (work === null || quietDays! >= QUIET_DAYS)) reasons.push(work ? `No work saved for ${quietDays} days` : 'No work saved yet');
    for (const a of requiredAbsences) if (a.n >= ABSENCE_FLAG) reasons.push(`${a.n} absences from required ${a.code} meetings`);
    const unenrolledFrom = [...new Set((edx.get(s.id) ?? []).filter((u) => u.unenrolled).map((u) => u.edxCode))];
    if (unenrolledFrom.length) reasons.push(`Unenrolled on edX from ${unenrolledFrom.join(' and ')}`);
    if (s.deactivated_at) reasons.length = 0; // a dropped student is not someone to reach out to
    const rem = remindersOf.get(s.id);
    return {
      id: s.id,
      name: s.name,
      email: s.email,
      undeliverable: undeliverable.get(normalizeAddress(s.email))?.smtpReply ?? null,
      section: s.section,
      droppedOn: s.deactivated_at ? formatDate(s.deactivated_at, zone) : null,
      pace: { label: p.label, status: p.status, behindBy: p.behindBy },
      lastWork: work ? `${formatDate(work, zone)} (${quietDays === 0 ? 'today' : `${quietDays} day${quietDays === 1 ? '' : 's'} ago`})` : 'No work yet',
      lastLogin: s.last_login_at ? formatDate(s.last_login_at, zone) : s.activated_at ? 'Never logged in' : 'Invitation not accepted',
      componentsDone: done,
      componentsTotal: lessonUnitIds.length * outline.componentCount,
      studyGuides: items.filter((i) => i.kind === 'study_guide' && i.present).length,
      artifacts: items.filter((i) => i.kind === 'team_artifact' && i.present).length,
      lessons: lessonUnitIds.length,
      edx: edxProgressLabel(edx.get(s.id) ?? []),
      attendance: { present: 0, absent: 0, excused: 0, ...attendanceOf.get(s.id) },
      requiredAbsences,
      portfolios: lists.map(({ req, checklist }) => ({ code: req.edx_code, ...portfolioStatus(checklist, submissionOf.get(key(s.id, req.id))) })),
      extensions: requirements.flatMap((r) => {
        const x = extensionOf.get(key(s.id, r.id));
        if (!x) return [];
        const on = x.granted_due_on ?? x.proposed_due_on;
        return [
          {
            code: r.edx_code,
            label: `${EXTENSION_LABEL[x.status as keyof typeof EXTENSION_LABEL]}${x.status === 'declined' ? '' : ` to ${formatLocalDate(on)}`}`,
            state: x.status,
          },
        ];
      }),
      reminders: rem ? { sent: Number(rem.n), last: rem.last_sent_at ? formatDate(new Date(rem.last_sent_at), zone) : '' } : { sent: 0, last: '' },
      reasons,
      fallingBehind: reasons.length > 0,
    };
  });

  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  return {
    students,
    total,
    page: query.page,
    pages,
    sections: sections.map((s) => ({ id: s.id, code: s.code })),
    filters: { section: query.section, q: query.q, behind: query.behind === '1', sort: query.sort, dir },
    week: position.week ? `${position.week.edxCode ? `${position.week.edxCode} · ` : ''}${position.week.label}` : null,
    lessonsExpected: position.expected.length,
    flaggedOnPage: students.filter((s) => s.fallingBehind).length,
    quietDays: QUIET_DAYS,
  };
}
