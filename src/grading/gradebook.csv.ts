import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import { DateTime } from 'luxon';
import { courseRepository } from '../course/course.repository';
import type { Db } from '../db/database';
import { neutralizeFormula } from '../progressions/assessment.csv';
import { factsFor, filterFor, statusOf, type StudentFacts } from './gradebook.service';
import { gradebookRepository as repo } from './gradebook.repository';
import type { GradebookQuery } from './grading.schemas';

/**
 * The gradebook as CSV: UTF-8 (with a byte-order mark, so spreadsheet programs read accents
 * right), one row per student, for each portfolio its status, submitted_at and graded_at (ISO
 * 8601 with the course zone's offset), late, extension, grade; then certificate eligibility.
 * dropped_on is the course-zone date a dropped student was dropped (empty while enrolled).
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
    ...codes.flatMap((c) => [`${c}_status`, `${c}_submitted_at`, `${c}_late`, `${c}_complete`, `${c}_extension`, `${c}_extension_requested_before_due`, `${c}_grade`, `${c}_graded_at`]),
    ...codes.map((c) => `${c}_certificate_requirements_met`),
    'both_certificates',
  ];
}

export function csvRow(f: StudentFacts, zone: string): string[] {
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
      p.extension?.granted_due_on ?? '',
      p.extension ? yesNo(p.extension.made_before_due) : '',
      p.grade?.grade ?? '',
      iso(p.grade?.graded_at, zone),
    ]),
    ...f.certificates.courses.map((c) => yesNo(c.eligible)),
    yesNo(f.certificates.both),
  ];
  return cells.map(neutralizeFormula);
}

/** Writes the gradebook for `query`'s filters (every page) to `out`, batch by batch. */
export async function writeGradebookCsv(db: Db, offeringId: number, query: Pick<GradebookQuery, 'section' | 'status' | 'portfolio'>, out: Writable): Promise<void> {
  const [offering, requirements] = await Promise.all([courseRepository.offering(db, offeringId), courseRepository.portfolioRequirements(db, offeringId)]);
  const filter = filterFor(query, requirements);
  const zone = offering.time_zone;

  async function* rows() {
    let after: { name: string; id: number } | null = null;
    for (;;) {
      const students = await repo.studentsAfter(db, offeringId, filter, after, BATCH);
      if (!students.length) return;
      for (const f of await factsFor(db, requirements, students)) yield csvRow(f, zone);
      if (students.length < BATCH) return;
      const last = students[students.length - 1];
      after = { name: last.name, id: last.id };
    }
  }

  await pipeline(rows, stringify({ header: true, columns: csvColumns(requirements.map((r) => r.edx_code)), bom: true }), out);
}
