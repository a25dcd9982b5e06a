import { usersRepository } from '../accounts/users.repository';
import type { Db } from '../db/database';
import { NotFound } from '../errors';
import { portfolioChecklist, type ChecklistItem } from './checklist';
import { deadlinesFor, type Deadline } from './deadlines';
import { requireCurrentVersion, versionToken } from '../versions';
import { reflectionsRepository } from './reflections.repository';
import { takeSnapshot } from './snapshot';
import { submissionsRepository } from './submissions.repository';
import { noticeOfSubmission } from './submission-notice';

/**
 * The portfolio (one per student per edX course): the personal reflection, and submission.
 * Submitting freezes a snapshot of the exact versions at that moment and marks it late against
 * the student's own due instant (extension included; the instant is exclusive, so 23:59:59 on
 * the due day in Detroit is on time and midnight is late). An incomplete portfolio is submitted
 * only after the student confirms the list of what is missing. Every submission is kept.
 */
export interface Owner {
  id: number;
  offeringId: number;
}

/** The student's deadline for a portfolio of their offering (NotFound for any other id). */
async function deadlineOf(db: Db, owner: Owner, requirementId: number): Promise<Deadline> {
  const d = (await deadlinesFor(db, owner.offeringId, owner.id)).find((x) => x.requirementId === requirementId);
  if (!d) throw new NotFound('We could not find that portfolio.');
  return d;
}

/** A student of the instructor's offering (NotFound for anyone else). */
async function studentOf(db: Db, offeringId: number, userId: number) {
  const u = await usersRepository.findById(db, userId);
  if (!u || u.role !== 'student' || u.offering_id !== offeringId) throw new NotFound('There is no such student in this course.');
  return u;
}

/** Late when submitted at or after the (exclusive) due instant; by whole seconds. */
export function lateness(submittedAt: Date, dueAt: Date): { isLate: boolean; lateBySeconds: number } {
  const ms = submittedAt.getTime() - dueAt.getTime();
  return ms >= 0 ? { isLate: true, lateBySeconds: Math.floor(ms / 1000) } : { isLate: false, lateBySeconds: 0 };
}

export interface ReflectionSaved {
  versionNo: number;
  changed: boolean;
}

/**
 * Saves the reflection as a new version (an unchanged text adds none), unless the form was opened
 * on an older version (`base`: another tab saved since).
 */
async function saveReflection(trx: Db, student: Owner, requirementId: number, body: string, base: string, now: Date): Promise<ReflectionSaved> {
  await deadlineOf(trx, student, requirementId);
  const reflectionId = await reflectionsRepository.upsertForSave(trx, student.id, requirementId, now);
  const latest = await reflectionsRepository.latestVersion(trx, reflectionId);
  requireCurrentVersion(latest ? { token: versionToken(latest.id), text: latest.body_md, by: 'you', at: latest.created_at } : null, {
    what: 'reflection',
    base,
    text: body,
    fields: [{ name: 'reflection_body', label: 'Your reflection on the course (Markdown)' }],
  });
  if (latest && latest.body_md === body) return { versionNo: latest.version_no, changed: false };
  const versionNo = (latest?.version_no ?? 0) + 1;
  await reflectionsRepository.insertVersion(trx, { reflectionId, versionNo, body, at: now });
  return { versionNo, changed: true };
}

export type SubmitResult =
  | { status: 'needs_confirmation'; missing: ChecklistItem[] }
  | { status: 'submitted'; submissionId: number; isLate: boolean; lateBySeconds: number; isComplete: boolean; missingCount: number; dueAt: Date };

async function submit(trx: Db, student: Owner, requirementId: number, confirmed: boolean, now: Date, baseUrl: string): Promise<SubmitResult> {
  const due = await deadlineOf(trx, student, requirementId);
  const checklist = await portfolioChecklist(trx, requirementId, student.id);
  if (!checklist.complete && !confirmed) return { status: 'needs_confirmation', missing: checklist.missing };
  const snapshot = await takeSnapshot(trx, checklist, now);
  const late = lateness(now, due.dueAt);
  const submissionId = await submissionsRepository.insert(trx, {
    userId: student.id,
    requirementId,
    submittedAt: now,
    dueAt: due.dueAt,
    ...late,
    isComplete: checklist.complete,
    missing: checklist.missing.map((m) => ({ key: m.key, label: m.label })),
    snapshot,
  });
  await noticeOfSubmission(trx, {
    studentId: student.id,
    offeringId: student.offeringId,
    submissionId,
    deadline: due,
    submittedAt: now,
    ...late,
    snapshot,
    missing: checklist.missing.map((m) => m.label),
    baseUrl,
  });
  return { status: 'submitted', submissionId, ...late, isComplete: checklist.complete, missingCount: checklist.missing.length, dueAt: due.dueAt };
}

export const portfolioService = Object.freeze({ deadlineOf, studentOf, saveReflection, submit });
