import { normalizeEmail } from '../accounts/identity';
import type { Db } from '../db/database';
import { Invalid } from '../errors';
import { edxImportRepository as repo } from './edx-import.repository';
import { edxProgressRepository } from './edx-progress.repository';
import type { Delimiter } from '../http/text-upload';
import { parseGradeReport, type ReportError, type ReportLearner } from './grade-report';
import { guessUnit } from './subsection-mapping';

/**
 * Importing an edX grade report for one edX course. The file is checked whole first; a problem
 * anywhere refuses it and nothing is written. Then, in the caller's transaction:
 *   1. learners are matched to students by email (case-insensitive), then by the edX username
 *      stored from an earlier match or link; staff accounts and unknown learners are reported;
 *   2. a student matched by email gets their edX username stored (unless another student holds it);
 *   3. new subsection columns get a guessed unit (see subsection-mapping.ts), known ones keep
 *      the instructor's choice;
 *   4. each matched student's subsection scores, course grade and certificate status are
 *      upserted (re-importing never duplicates), and per-unit edX progress is recomputed;
 *   5. the import is logged: who, when, file name, counts, and the first unmatched rows.
 */
export const UNMATCHED_KEPT = 200;

export interface UnmatchedRow {
  line: number;
  username: string;
  email: string;
  cohort: string;
  reason: string;
}

export type ImportOutcome = { ok: true; importId: number } | { ok: false; errors: ReportError[] };

interface Person {
  id: number;
  email: string;
  name: string;
  role: string;
  username: string | null;
}

function match(learners: ReportLearner[], people: Person[]) {
  const byEmail = new Map(people.map((p) => [normalizeEmail(p.email), p]));
  const byUsername = new Map(people.filter((p) => p.username).map((p) => [p.username!.toLowerCase(), p]));
  const lineOf = new Map<number, number>();
  const matched: { learner: ReportLearner; person: Person; by: 'email' | 'username' }[] = [];
  const unmatched: UnmatchedRow[] = [];
  for (const learner of learners) {
    let person = learner.email ? byEmail.get(normalizeEmail(learner.email)) : undefined;
    let by: 'email' | 'username' = 'email';
    if (!person && learner.username) {
      person = byUsername.get(learner.username.toLowerCase());
      by = 'username';
    }
    const row = { line: learner.line, username: learner.username, email: learner.email, cohort: learner.cohort };
    if (!person) unmatched.push({ ...row, reason: 'No student with this email or edX username' });
    else if (person.role === 'community')
      unmatched.push({ ...row, reason: `${person.name} is a community learner: edX progress is imported for campus students` });
    else if (person.role !== 'student') unmatched.push({ ...row, reason: `Course staff (${person.name}), not a student` });
    else if (lineOf.has(person.id)) unmatched.push({ ...row, reason: `${person.name} was already matched on line ${lineOf.get(person.id)}` });
    else {
      lineOf.set(person.id, learner.line);
      matched.push({ learner, person, by });
    }
  }
  return { matched, unmatched, byUsername };
}

async function importReport(
  db: Db,
  input: { offeringId: number; edxCourseId: number; importedBy: number; fileName: string; text: string; delimiter?: Delimiter; now: Date },
): Promise<ImportOutcome> {
  const course = await repo.course(db, input.offeringId, input.edxCourseId);
  if (!course) return { ok: false, errors: [{ line: 1, message: 'Choose the edX course this report is from.' }] };
  const parsed = parseGradeReport(input.text, input.delimiter);
  if (!parsed.ok) return parsed;
  const { report } = parsed;
  const [people, units, known] = await Promise.all([repo.people(db, input.offeringId), repo.units(db, course.id), repo.mappings(db, course.id)]);
  const { matched, unmatched, byUsername } = match(report.learners, people);

  const importId = await repo.insertImport(db, {
    edxCourseId: course.id,
    importedBy: input.importedBy,
    at: input.now,
    fileName: input.fileName.slice(0, 255),
    learnerRows: report.learners.length,
    matched: matched.length,
    matchedByUsername: matched.filter((m) => m.by === 'username').length,
    unmatched: unmatched.length,
    subsectionColumns: report.subsections.length,
    unmatchedRows: unmatched.slice(0, UNMATCHED_KEPT),
  });

  // 3. the mapping: keep what is known, guess the new columns
  const mapIdOf = new Map<string, number>();
  const unitRefs = units.map((u) => ({ id: u.id, kind: u.kind, lessonNumber: u.lesson_number }));
  const fresh: Parameters<typeof repo.insertMappings>[1] = [];
  for (const s of report.subsections) {
    const existing = known.find((k) => k.column_name === s.name);
    if (existing) {
      mapIdOf.set(s.name, existing.id);
      await repo.markSeen(db, existing.id, s.position, importId);
    } else {
      fresh.push({ edxCourseId: course.id, columnName: s.name, position: s.position, unitId: guessUnit(s.name, unitRefs), at: input.now, importId });
    }
  }
  for (const m of await repo.insertMappings(db, fresh)) mapIdOf.set(m.column_name, m.id);

  // 2. edX usernames of students matched by email
  for (const m of matched) {
    if (m.by !== 'email' || !m.learner.username) continue;
    const holder = byUsername.get(m.learner.username.toLowerCase());
    if (holder && holder.id !== m.person.id) continue;
    if (m.person.username === m.learner.username) continue;
    await repo.upsertAccount(db, { userId: m.person.id, username: m.learner.username, edxStudentId: m.learner.studentId || null, at: input.now, by: null });
  }

  // 4. scores, grades, progress
  await repo.upsertScores(
    db,
    matched.flatMap((m) =>
      report.subsections.map((s, i) => ({
        userId: m.person.id,
        mapId: mapIdOf.get(s.name)!,
        score: m.learner.scores[i].score,
        attempted: m.learner.scores[i].attempted,
        importId,
      })),
    ),
  );
  await repo.deleteScoresNotIn(db, course.id, importId);
  await repo.upsertGrades(
    db,
    matched.map((m) => ({
      userId: m.person.id,
      edxCourseId: course.id,
      grade: m.learner.grade,
      track: m.learner.enrollmentTrack,
      status: m.learner.enrollmentStatus,
      eligible: m.learner.certificateEligible,
      delivered: m.learner.certificateDelivered,
      importId,
      at: input.now,
    })),
  );
  await repo.setProgressRows(db, importId, await edxProgressRepository.recomputeProgress(db, course.id, input.now));
  return { ok: true, importId };
}

/**
 * Links an edX username (an unmatched row of an import) to a student: later reports match them
 * by it. Refused when another student already holds that username.
 */
async function linkAccount(db: Db, input: { offeringId: number; userId: number; username: string; by: number; now: Date }): Promise<{ studentName: string }> {
  const student = (await repo.people(db, input.offeringId)).find((p) => p.id === input.userId && p.role === 'student');
  if (!student) throw new Invalid('Choose a student of this course.', { userId: 'Choose a student of this course.' });
  const holder = await repo.accountByUsername(db, input.username);
  if (holder && holder.user_id !== student.id) {
    const message = `The edX username ${input.username} is already linked to another student.`;
    throw new Invalid(message, { userId: message });
  }
  await repo.upsertAccount(db, { userId: student.id, username: input.username, edxStudentId: null, at: input.now, by: input.by });
  return { studentName: student.name };
}

export const edxImportService = Object.freeze({ importReport, linkAccount });
