import { courseCache } from '../course/course-cache';
import { courseUnits, unitHeading, type Student } from '../course/units';
import { courseRepository } from '../course/course.repository';
import type { Db } from '../db/database';
import { lockName } from '../db/locks';
import { NotFound } from '../errors';
import { celebrateRepository } from './celebrate.repository';
import { enrichmentRepository } from './enrichment.repository';
import type { EnrichmentKind } from './lesson-notes.tables';
import { labelledText, requireCurrentVersion, versionToken } from '../versions';
import { lessonsRepository } from './lessons.repository';

/**
 * A lesson's own work: the seven components (done / not done, per student, unit and component;
 * a unit is complete when all seven are done), the Learning Check (append-only), the private
 * Clarification/Community Engagement note (append-only), the Enrichment log and Celebrate
 * Success shares. Kickoff and Closing units have no components and take no work.
 */
async function setComponentDone(db: Db, student: Student, unitId: number, componentId: number, done: boolean, now: Date) {
  await courseUnits.requireLesson(db, student.offeringId, unitId);
  const component = (await courseRepository.components(db)).find((c) => c.id === componentId);
  if (!component) throw new NotFound('That lesson component does not exist.');
  if (done) await lessonsRepository.markDone(db, student.id, unitId, componentId, now);
  else await lessonsRepository.markNotDone(db, student.id, unitId, componentId);
  return component;
}

type LearningCheckAnswers = { understanding: string; strengths: string; weaknesses: string };

const learningCheckText = (a: LearningCheckAnswers) =>
  labelledText([
    { label: 'What I understand now', text: a.understanding },
    { label: 'Strengths of this lesson', text: a.strengths },
    { label: 'Weaknesses of this lesson', text: a.weaknesses },
  ]);

/** Saves a new Learning Check response, unless another tab saved one since this form was opened. */
async function saveLearningCheck(db: Db, student: Student, unitId: number, answers: LearningCheckAnswers & { base: string }, now: Date) {
  await courseUnits.requireLesson(db, student.offeringId, unitId);
  await lockName(db, `learning-check:${student.id}:${unitId}`);
  const current = await lessonsRepository.latestLearningCheck(db, student.id, unitId);
  requireCurrentVersion(current ? { token: versionToken(current.id), text: learningCheckText(current), by: 'you', at: current.submitted_at } : null, {
    what: 'Learning Check',
    base: answers.base,
    text: learningCheckText(answers),
    fields: [
      { name: 'understanding', label: 'What I understand now' },
      { name: 'strengths', label: 'Strengths of this lesson' },
      { name: 'weaknesses', label: 'Weaknesses of this lesson' },
    ],
  });
  const { understanding, strengths, weaknesses } = answers;
  await lessonsRepository.insertLearningCheck(db, { userId: student.id, unitId, understanding, strengths, weaknesses, at: now });
}

async function saveNote(db: Db, student: Student, unitId: number, body: string, now: Date) {
  await courseUnits.requireLesson(db, student.offeringId, unitId);
  await lessonsRepository.insertNote(db, { userId: student.id, unitId, body, at: now });
}

async function addEnrichment(db: Db, student: Student, unitId: number, e: { kind: EnrichmentKind; title: string; url: string; citation: string }, now: Date) {
  await courseUnits.requireLesson(db, student.offeringId, unitId);
  await enrichmentRepository.insert(db, {
    userId: student.id,
    unitId,
    kind: e.kind,
    title: e.title,
    url: e.url || null,
    citation: e.citation || null,
    at: now,
  });
}

async function removeEnrichment(db: Db, student: Student, unitId: number, entryId: number, now: Date) {
  await courseUnits.requireLesson(db, student.offeringId, unitId);
  if (!(await enrichmentRepository.softDelete(db, student.id, unitId, entryId, now)))
    throw new NotFound('We could not find that entry in your Enrichment log.');
}

async function shareCelebration(db: Db, student: Student, unitId: number, body: string, now: Date) {
  await courseUnits.requireLesson(db, student.offeringId, unitId);
  await celebrateRepository.insert(db, { userId: student.id, unitId, body, at: now });
}

async function removeShare(db: Db, student: Student, unitId: number, shareId: number, now: Date) {
  await courseUnits.requireLesson(db, student.offeringId, unitId);
  if (!(await celebrateRepository.softDeleteOwn(db, student.id, unitId, shareId, now))) throw new NotFound('We could not find that share of yours.');
}

async function moderateShare(db: Db, instructor: Student, unitId: number, shareId: number, hide: boolean, now: Date) {
  await courseUnits.requireLesson(db, instructor.offeringId, unitId);
  if (!(await celebrateRepository.setHidden(db, unitId, shareId, hide, instructor.id, now))) throw new NotFound('We could not find that share.');
}

/** Both edX courses' units, each with the reader's components done (x of 7) for lessons. */
async function lessonIndex(db: Db, offeringId: number, userId: number | null) {
  const [{ units, components }, counts] = await Promise.all([
    courseCache.current(db, offeringId),
    userId ? lessonsRepository.completionCounts(db, userId, offeringId) : Promise.resolve(new Map<number, number>()),
  ]);
  const courses: {
    code: string;
    title: string;
    units: { id: number; heading: string; isLesson: boolean; done: number; total: number; complete: boolean }[];
  }[] = [];
  for (const u of units) {
    let course = courses.find((c) => c.code === u.edx_code);
    if (!course) courses.push((course = { code: u.edx_code, title: u.edx_title, units: [] }));
    const isLesson = u.kind === 'lesson';
    const done = counts.get(u.id) ?? 0;
    course.units.push({
      id: u.id,
      heading: unitHeading(u),
      isLesson,
      done,
      total: isLesson ? components.length : 0,
      complete: isLesson && done >= components.length,
    });
  }
  return courses;
}

export const lessonsService = Object.freeze({
  setComponentDone,
  saveLearningCheck,
  saveNote,
  addEnrichment,
  removeEnrichment,
  shareCelebration,
  removeShare,
  moderateShare,
  lessonIndex,
});
