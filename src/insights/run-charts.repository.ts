import { usersRepository } from '../accounts/users.repository';
import { attendanceRepository } from '../attendance/attendance.repository';
import type { Db } from '../db/database';
import { lessonsRepository } from '../lessons/lessons.repository';
import { peerAssessmentRepository } from '../portfolio/peer-assessments.repository';
import { reflectionsRepository } from '../portfolio/reflections.repository';
import { studyGuidesRepository } from '../study-guides/study-guides.repository';
import { teamsRepository } from '../teams/teams.repository';
import type { LearnerRole } from '../roles';

/**
 * The activity the run charts count, aggregated in the database (per day or per student and
 * item), for the active students of an offering (or, for pace, components and study guides, its
 * active community learners): a fixed number of queries whatever its size.
 * Each count is asked of the feature that owns the table, with the active students as a subquery
 * (usersRepository.activeStudentIdsOf) so that each stays one statement.
 */
const activeStudents = (db: Db, offeringId: number) => usersRepository.activeStudentIdsOf(db, offeringId);

/** The active learners of one kind: campus students (role 'student') or community learners. */
async function activeLearnerIds(db: Db, offeringId: number, role: LearnerRole): Promise<number[]> {
  const rows = await usersRepository.activeLearnerIdsOf(db, offeringId, role).orderBy('id').execute();
  return rows.map((r) => r.id);
}

async function completionsPerDay(db: Db, offeringId: number, role: LearnerRole, zone: string) {
  return lessonsRepository.completionsPerDay(db, usersRepository.activeLearnerIdsOf(db, offeringId, role), zone);
}

/** Study guides by the day their first version was saved. */
async function studyGuidesPerDay(db: Db, offeringId: number, role: LearnerRole, zone: string) {
  return studyGuidesRepository.firstVersionsPerDay(db, usersRepository.activeLearnerIdsOf(db, offeringId, role), zone);
}

/** Each required (not cancelled) campus meeting: students recorded, and how many present. */
async function requiredMeetingAttendance(db: Db, offeringId: number, zone: string) {
  return attendanceRepository.requiredMeetingAttendance(db, offeringId, zone, activeStudents(db, offeringId));
}

/**
 * One row per active student and portfolio item they have, with the moment it first existed:
 * each lesson's study guide (first version, guide not deleted) and Team Practice artifact (first
 * version of their current team's artifact), the submitted peer assessment of them, and their
 * non-empty reflection.
 */
async function portfolioItems(db: Db, offeringId: number, requirementId: number, lessonUnitIds: number[]) {
  const active = activeStudents(db, offeringId);
  const units = lessonUnitIds.length ? lessonUnitIds : [-1];
  const [guides, artifacts, assessments, reflections] = await Promise.all([
    studyGuidesRepository.firstSavedOfEach(db, active, units),
    teamsRepository.firstArtifactOfEach(db, active, units),
    peerAssessmentRepository.firstSubmittedAbout(db, active, requirementId),
    reflectionsRepository.firstWrittenOfEach(db, active, requirementId),
  ]);
  return [...guides, ...artifacts, ...assessments, ...reflections].map((r) => ({ userId: r.user_id, at: new Date(r.at as unknown as string | Date) }));
}

export const runChartsRepository = Object.freeze({
  activeLearnerIds,
  lessonCompleteAt: lessonsRepository.lessonCompleteAt,
  completionsPerDay,
  studyGuidesPerDay,
  requiredMeetingAttendance,
  portfolioItems,
});
