import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import { DateTime } from 'luxon';
import { absencesFromRequiredMeetings } from '../attendance/absences';
import { missingText } from './certificate-eligibility';
import { courseCache } from '../course/course-cache';
import type { Db } from '../db/database';
import { neutralizeFormula } from '../http/csv';
import { factsFor, filterFor, statusOf, type StudentFacts } from './gradebook.service';
import { gradebookRepository as repo } from './gradebook.repository';
import type { GradebookQuery } from './grading.schemas';

/**
 * The gradebook as CSV: UTF-8 (with a byte-order mark, so spreadsheet programs read accents
 * right), one row per student, with every column the gradebook page shows: for each portfolio
 * its status, submitted_at and graded_at (ISO 8601 with the course zone's offset), late,
 * complete, items present now, extension (date, whether requested before the due date, and
 * whether the student requested it or the instructor granted it), grade, whether it has written
 * feedback, resubmitted since graded; then per edX course certificate eligibility with what is
 * still missing, and absences from required meetings. dropped_on is the course-zone date a
 * dropped student was dropped (empty while enrolled).
 * Streamed in keyset batches of BATCH students with backpressure, so memory stays flat for any
 * class size. Every cell is neutralized against spreadsheet formula injection (a leading
 * = + - @, tab or carriage return gets an apostrophe).
 */
export const BATCH = 1000;

function iso(at: Date | null | undefined, zone: string): string {
  return at ? DateTime.fromJSDate(at, { zone }).toISO({ suppressMilliseconds: true })! : '';
}

const yesNo = (v: boolean) => (v ? 'yes' : 'no');

export function csvColumns(codes: string[]): string[] {
  return [
    'student_name',
    'email',
    'section',
    'dropped_on',
    ...codes.flatMap((c) => [
      `${c}_status`,
      `${c}_submitted_at`,
      `${c}_late`,
      `${c}_complete`,
      `${c}_items_now`,
      `${c}_extension`,
      `${c}_extension_requested_before_due`,
      `${c}_extension_granted_by`,
      `${c}_grade`,
      `${c}_graded_at`,
      `${c}_feedback_written`,
      `${c}_resubmitted_since_graded`,
    ]),
    ...codes.flatMap((c) => [`${c}_certificate_requirements_met`, `${c}_certificate_missing`]),
    'both_certificates',
    ...codes.map((c) => `${c}_absences_required_meetings`),
  ];
}

export function csvRow(f: StudentFacts, zone: string, absences: Map<number, number> | undefined): string[] {
  const cells = [
    f.student.name,
    f.student.email,
    f.student.section,
    f.student.dropped_at ? DateTime.fromJSDate(f.student.dropped_at, { zone }).toISODate()! : '',
    ...f.portfolios.flatMap((p) => [
      statusOf(p),
      iso(p.submission?.submitted_at, zone),
      p.submission ? yesNo(p.submission.is_late) : '',
      p.submission ? yesNo(p.submission.is_complete) : '',
      p.checklist ? `${p.checklist.presentCount} of ${p.checklist.total}` : '',
      p.extension?.granted_due_on ?? '',
      p.extension ? yesNo(p.extension.made_before_due) : '',
      p.extension ? (p.extension.initiated_by === 'instructor' ? 'instructor' : 'student request') : '',
      p.grade?.grade ?? '',
      iso(p.grade?.graded_at, zone),
      p.grade ? yesNo(p.grade.feedback.trim() !== '') : '',
      p.grade && p.submission ? yesNo(p.grade.portfolio_submission_id !== p.submission.id) : '',
    ]),
    ...f.certificates.courses.flatMap((c) => [yesNo(c.eligible), missingText(c)]),
    yesNo(f.certificates.both),
    ...f.portfolios.map((p) => String(absences?.get(p.requirement.edx_course_id) ?? 0)),
  ];
  return cells.map(neutralizeFormula);
}

/** Writes the gradebook for `query`'s filters (every page) to `out`, `batch` students at a time. */
export async function writeGradebookCsv(
  db: Db,
  offeringId: number,
  query: Pick<GradebookQuery, 'section' | 'status' | 'portfolio'>,
  out: Writable,
  batch = BATCH,
): Promise<void> {
  const course = await courseCache.current(db, offeringId);
  const requirements = course.requirements;
  const filter = filterFor(query, requirements);
  const zone = course.offering.time_zone;

  async function* rows() {
    let after: { name: string; id: number } | null = null;
    for (;;) {
      const students = await repo.studentsAfter(db, offeringId, filter, after, batch);
      if (!students.length) return;
      const ids = students.map((s) => s.id);
      const [facts, absences] = await Promise.all([factsFor(db, course, students), absencesFromRequiredMeetings(db, offeringId, ids)]);
      for (const f of facts) yield csvRow(f, zone, absences.get(f.student.id));
      if (students.length < batch) return;
      const last = students[students.length - 1];
      after = { name: last.name, id: last.id };
    }
  }

  await pipeline(rows, stringify({ header: true, columns: csvColumns(requirements.map((r) => r.edx_code)), bom: true }), out);
}
