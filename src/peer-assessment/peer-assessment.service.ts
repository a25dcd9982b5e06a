import type { Role } from '../roles';
import { courseRepository } from '../course/course.repository';
import type { Db } from '../db/database';
import { NotFound } from '../errors';
import { portfolioChecklist } from '../portfolio/checklist';
import { snapshotView, takeSnapshot } from '../portfolio/snapshot';
import { formatDateTime } from '../time';
import { peerAssessmentRepository as repo } from '../portfolio/peer-assessments.repository';
import type { AssessmentInput } from './peer-assessment.schemas';
import { peerAssignmentRepository } from './peer-assignment.repository';
import { noticeOfAssessmentReceived } from './received-notice';

/**
 * Writing and reading peer assessments. The assessor of a current assignment sees the
 * assessee's study guides and team artifacts for that edX course (their current versions,
 * read-only) and saves the assessment as drafts or submits it; every save is a new version.
 * The assessee sees submitted assessments about them; the instructor sees all. Nobody else
 * learns that an assignment exists (404).
 */
export interface Reader {
  id: number;
  role: Role;
  offeringId: number;
}

type Version = Awaited<ReturnType<typeof repo.versionsOf>>[number];

function answersView(v: Version | undefined) {
  return {
    collegial_interactions: v?.collegial_interactions ?? '',
    work_products: v?.work_products ?? '',
    strength: v?.strength ?? '',
    suggestion: v?.suggestion ?? '',
    comments: v?.comments ?? '',
  };
}

/** A submitted assessment as the view shows it. */
function assessmentView(v: Version & { assessor_name?: string }, zone: string) {
  return {
    id: v.id,
    versionNo: v.version_no,
    status: v.status,
    at: formatDateTime(v.created_at, zone),
    assessorName: v.assessor_name ?? null,
    answers: answersView(v),
  };
}

/** The assignment when `reader` may open it: its assessor (current only) or the instructor. */
async function readable(db: Db, reader: Reader, assignmentId: number, opts: { lock?: boolean } = {}) {
  const a = await peerAssignmentRepository.find(db, assignmentId, opts);
  if (!a || a.offering_id !== reader.offeringId) throw new NotFound('We could not find that peer assessment.');
  if (reader.role === 'instructor') return { assignment: a, canWrite: false };
  if (a.assessor_id !== reader.id || a.replaced_at !== null) throw new NotFound('We could not find that peer assessment.');
  return { assignment: a, canWrite: true };
}

/** The assessee's study guides and team artifacts for the course, current versions. */
async function assesseeWork(db: Db, requirementId: number, assesseeId: number, now: Date, zone: string) {
  const checklist = await portfolioChecklist(db, requirementId, assesseeId);
  const items = checklist.items.filter((i) => i.kind === 'study_guide' || i.kind === 'team_artifact');
  const snapshot = await takeSnapshot(db, { ...checklist, items }, now);
  return snapshotView(snapshot, zone);
}

async function assessmentPage(db: Db, reader: Reader, assignmentId: number, zone: string, now: Date) {
  const { assignment: a, canWrite } = await readable(db, reader, assignmentId);
  const [versions, work] = await Promise.all([repo.versionsOf(db, a.id), assesseeWork(db, a.portfolio_requirement_id, a.assessee_id, now, zone)]);
  const latest = versions[0];
  const submitted = versions.find((v) => v.status === 'submitted');
  return {
    assignment: {
      id: a.id,
      requirementId: a.portfolio_requirement_id,
      requirementTitle: a.requirement_title,
      edxCode: a.edx_code,
      assessorName: a.assessor_name,
      assesseeName: a.assessee_name,
      replaced: a.replaced_at !== null,
    },
    canWrite,
    work,
    answers: answersView(latest),
    latest: latest ? assessmentView(latest, zone) : null,
    submitted: submitted ? assessmentView(submitted, zone) : null,
    draftAfterSubmit: !!latest && !!submitted && latest.id !== submitted.id,
    versions: versions.map((v) => ({ versionNo: v.version_no, status: v.status, at: formatDateTime(v.created_at, zone) })),
  };
}

export type SaveResult = { versionNo: number; status: 'draft' | 'submitted'; assesseeName: string };

/** Saves a new version (draft or submitted) of the assessor's assessment. */
async function save(trx: Db, reader: Reader, assignmentId: number, input: AssessmentInput, now: Date, baseUrl: string): Promise<SaveResult> {
  const { assignment: a, canWrite } = await readable(trx, reader, assignmentId, { lock: true });
  if (!canWrite) throw new NotFound('We could not find that peer assessment.');
  const versions = await repo.versionsOf(trx, a.id);
  const versionNo = (versions[0]?.version_no ?? 0) + 1;
  const status = input.action === 'submit' ? 'submitted' : 'draft';
  await repo.insertVersion(trx, {
    assignmentId: a.id,
    requirementId: a.portfolio_requirement_id,
    assessorId: a.assessor_id,
    assesseeId: a.assessee_id,
    versionNo,
    status,
    at: now,
    answers: {
      collegialInteractions: input.collegial_interactions,
      workProducts: input.work_products,
      strength: input.strength,
      suggestion: input.suggestion,
      comments: input.comments,
    },
  });
  if (status === 'submitted')
    await noticeOfAssessmentReceived(trx, {
      assignmentId: a.id,
      versionNo,
      assesseeId: a.assessee_id,
      offeringId: reader.offeringId,
      requirementId: a.portfolio_requirement_id,
      portfolio: a.requirement_title,
      updated: versions.some((v) => v.status === 'submitted'),
      now,
      baseUrl,
    });
  return { versionNo, status, assesseeName: a.assessee_name };
}

/** The student's list: whom they assess (per portfolio) and the assessments they received. */
async function myAssessments(db: Db, student: Reader, zone: string) {
  const [assignments, requirements] = await Promise.all([
    peerAssignmentRepository.currentForAssessor(db, student.id),
    courseRepository.portfolioRequirements(db, student.offeringId),
  ]);
  const progress = await repo.progressOf(
    db,
    assignments.map((a) => a.id),
  );
  return {
    assignments: assignments.map((a) => {
      const p = progress.get(a.id);
      return {
        id: a.id,
        assesseeName: a.assessee_name,
        requirementTitle: a.requirement_title,
        edxCode: a.edx_code,
        status: p?.submitted ? 'Submitted' : p ? 'Draft saved' : 'Not started',
        state: p?.submitted ? 'ok' : p ? 'draft' : 'none',
        lastSaved: p ? formatDateTime(p.lastAt, zone) : null,
      };
    }),
    received: requirements.map((r) => ({ requirementId: r.id, title: r.title, edxCode: r.edx_code })),
  };
}

/** Submitted assessments about the student for one portfolio (drafts stay private to the assessor). */
async function received(db: Db, student: Reader, requirementId: number, zone: string) {
  const r = await peerAssignmentRepository.requirement(db, student.offeringId, requirementId);
  if (!r) throw new NotFound('We could not find that portfolio.');
  const rows = await repo.submittedAbout(db, student.id, requirementId);
  return {
    requirement: { id: r.id, title: r.title, edxCode: r.edx_code },
    assessments: rows.sort((x, y) => y.created_at.getTime() - x.created_at.getTime()).map((v) => assessmentView(v, zone)),
  };
}

export const peerAssessmentService = Object.freeze({ assessmentPage, save, myAssessments, received });
