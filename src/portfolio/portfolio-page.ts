import type { Role } from '../roles';
import { courseCache } from '../course/course-cache';
import type { Db } from '../db/database';
import { readOne, readTogether } from '../db/reads';
import { NotFound } from '../errors';
import { formatDateTime, formatDeadline, formatDuration, formatLocalDate } from '../time';
import { checklistsRead } from './checklist';
import { extensionRequestsRead, requestView } from './extension-requests';
import { approvedExtensionsOf, deadlinesOf, type Deadline } from './deadlines';
import { portfolioService, type Owner } from './portfolio.service';
import { versionToken } from '../versions';
import { reflectionsRepository } from './reflections.repository';
import { snapshotView } from './snapshot';
import { submissionsRepository, type SubmissionSummary } from './submissions.repository';

/**
 * View models for the portfolio pages, times in the reader's zone. The same model serves the
 * student's own page and the instructor's read-only view of a student's portfolio.
 */
export interface Reader {
  id: number;
  role: Role;
  offeringId: number;
  timeZone: string;
}

export function dueView(d: Deadline, zone: string, now: Date) {
  const ms = d.dueAt.getTime() - now.getTime();
  return {
    when: formatDeadline(d.dueAt, zone),
    on: formatLocalDate(d.dueOn),
    extended: d.extended,
    originalWhen: formatDeadline(d.originalDueAt, zone),
    passed: ms <= 0,
    relative: ms > 0 ? `${formatDuration(ms)} left` : `passed ${formatDuration(ms)} ago`,
  };
}

function submissionRow(s: SubmissionSummary, zone: string, url: string) {
  const missing = Array.isArray(s.missing) ? s.missing.length : 0;
  return {
    id: s.id,
    url,
    submittedAt: formatDateTime(s.submitted_at, zone),
    dueWhen: formatDeadline(s.due_at, zone),
    late: s.is_late,
    lateBy: s.is_late ? formatDuration(s.late_by_seconds * 1000) : null,
    complete: s.is_complete,
    missingCount: missing,
  };
}

/**
 * The checklist as its keeper sees it. A community learner (issue 17) keeps a portfolio for
 * themselves and their MichiganX certificate record: it has no peer assessment (peers are assigned
 * among campus students), so that item is not counted, and there is no deadline or submission.
 */
function keptBy<C extends { items: { kind: string; present: boolean }[]; missing: { kind: string }[]; presentCount: number; total: number; complete: boolean }>(
  checklist: C,
  campus: boolean,
): C {
  if (campus) return checklist;
  const items = checklist.items.filter((i) => i.kind !== 'peer_assessment');
  const presentCount = items.filter((i) => i.present).length;
  return {
    ...checklist,
    items,
    missing: checklist.missing.filter((i) => i.kind !== 'peer_assessment'),
    presentCount,
    total: items.length,
    complete: presentCount === items.length,
  };
}

/**
 * The student's portfolio page (or, for the instructor, a read-only view of it). The course comes
 * from the cache; the student's own data is four reads in one round trip: checklist, reflection
 * versions, submissions and extension requests (the approved one, if any, moves the deadline).
 */
async function portfolioModel(db: Db, owner: Owner, requirementId: number, zone: string, now: Date, campus = true) {
  const course = await courseCache.current(db, owner.offeringId);
  if (!course.requirements.some((r) => r.id === requirementId)) throw new NotFound('We could not find that portfolio.');
  const { checklists, versions, submissions, extensions } = await readTogether(db, {
    checklists: checklistsRead(db, course, [requirementId], [owner.id]),
    versions: reflectionsRepository.versionsOfRead(db, owner.id, requirementId),
    submissions: submissionsRepository.listForRead(db, owner.id, requirementId),
    extensions: extensionRequestsRead.listForStudent(db, owner.id, requirementId),
  });
  const approved = extensions.find((x) => x.status === 'approved');
  const due = deadlinesOf(course, new Map(approved ? [[requirementId, approved]] : [])).find((d) => d.requirementId === requirementId)!;
  const checklist = keptBy(checklists.get(requirementId)!.get(owner.id)!, campus);
  const peer = checklist.items.find((i) => i.kind === 'peer_assessment');
  return {
    campus,
    requirement: { id: due.requirementId, title: due.title, edxCode: due.edxCode },
    due: campus ? dueView(due, zone, now) : null,
    checklist: {
      presentCount: checklist.presentCount,
      total: checklist.total,
      complete: checklist.complete,
      items: checklist.items.map((i) => ({ key: i.key, kind: i.kind, label: i.label, present: i.present, fixUrl: i.fixUrl })),
      missing: checklist.missing.map((i) => ({ label: i.label, fixUrl: i.fixUrl })),
    },
    reflection: versions.length
      ? {
          baseVersion: versionToken(versions[0].id),
          versionNo: versions[0].version_no,
          savedAt: formatDateTime(versions[0].created_at, zone),
          body: versions[0].body_md,
        }
      : null,
    reflectionVersions: versions.map((v) => ({ no: v.version_no, savedAt: formatDateTime(v.created_at, zone), body: v.body_md })),
    peerAssessmentArrived: peer?.present ?? false,
    submissions: submissions.map((s) => submissionRow(s, zone, `/portfolios/${requirementId}/submissions/${s.id}`)),
    extension: campus && extensions.length ? requestView(extensions[0], zone) : null,
    urls: {
      page: `/portfolios/${requirementId}`,
      submit: `/portfolios/${requirementId}/submit`,
      reflection: `/portfolios/${requirementId}/reflection`,
      reflectionVersions: `/portfolios/${requirementId}/reflection/versions`,
      extension: `/portfolios/${requirementId}/extension`,
      feedback: `/portfolios/${requirementId}/feedback`,
      peerAssessments: '/peer-assessments',
    },
  };
}

export type PortfolioModel = Awaited<ReturnType<typeof portfolioModel>>;

/** Both portfolios of a learner, for GET /portfolios (a community learner's: no deadline, no submission, no peer assessment). */
async function listModel(db: Db, student: Owner, zone: string, now: Date, campus = true) {
  const course = await courseCache.current(db, student.offeringId);
  const requirementIds = course.requirements.map((r) => r.id);
  const [extensions, checklists, latest] = await Promise.all([
    approvedExtensionsOf(db, student.id),
    readOne(db, checklistsRead(db, course, requirementIds, [student.id])),
    readOne(db, submissionsRepository.latestForEachRead(db, [student.id], requirementIds)),
  ]);
  return deadlinesOf(course, extensions).map((d) => {
    const checklist = keptBy(checklists.get(d.requirementId)!.get(student.id)!, campus);
    const last = campus ? latest.get(`${student.id}:${d.requirementId}`) : undefined;
    return {
      id: d.requirementId,
      title: d.title,
      edxCode: d.edxCode,
      url: `/portfolios/${d.requirementId}`,
      due: campus ? dueView(d, zone, now) : null,
      presentCount: checklist.presentCount,
      total: checklist.total,
      lastSubmission: last ? submissionRow(last, zone, `/portfolios/${d.requirementId}/submissions/${last.id}`) : null,
    };
  });
}

/** One frozen submission: the student's own, or any of the instructor's offering (else NotFound). */
async function submissionModel(db: Db, reader: Reader, requirementId: number, submissionId: number) {
  const s = await submissionsRepository.find(db, submissionId);
  const allowed =
    s && s.portfolio_requirement_id === requirementId && (reader.role === 'instructor' ? s.offering_id === reader.offeringId : s.user_id === reader.id);
  if (!s || !allowed) throw new NotFound('We could not find that submission.');
  const due = await portfolioService.deadlineOf(db, { id: s.user_id, offeringId: s.offering_id }, requirementId);
  const own = reader.id === s.user_id;
  return {
    requirement: { id: requirementId, title: due.title },
    studentName: own ? null : s.student_name,
    submission: submissionRow(s, reader.timeZone, ''),
    missing: (Array.isArray(s.missing) ? (s.missing as { label?: unknown }[]) : []).map((m) => String(m.label ?? '')),
    snapshot: snapshotView(s.snapshot, reader.timeZone),
    backUrl: own ? `/portfolios/${requirementId}` : `/instructor/students/${s.user_id}/portfolios/${requirementId}`,
  };
}

export const portfolioPage = Object.freeze({ portfolioModel, listModel, submissionModel });
