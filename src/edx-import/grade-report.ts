import { parse } from 'csv-parse/sync';
import type { Delimiter } from '../http/text-upload';

/**
 * The edX course grade report (Instructor Dashboard → Data Download → "Generate Grade Report"),
 * parsed and checked. Pure: no database. Its columns are
 *   Student ID, Email, Username, Grade,
 *   one column per graded subsection ("Team Practice 01: Lesson 1 …", "Learning Check 01"),
 *   an average column per assignment type ("Team Practice (Avg)"),
 *   then enrollment and certificate columns (Cohort Name, Enrollment Track, Verification Status,
 *   Certificate Eligible, Certificate Delivered, Certificate Type, Enrollment Status, …).
 * A score is a fraction from 0 to 1, or "Not Attempted" (edX also writes "Not Available" for a
 * subsection the learner cannot see; both count as not attempted, score 0). Any problem refuses
 * the whole file, with line numbers.
 */
export interface ReportError {
  line: number;
  message: string;
}

export interface SubsectionScore {
  score: number;
  attempted: boolean;
}

export interface ReportLearner {
  line: number;
  studentId: string;
  email: string;
  username: string;
  grade: number;
  /** One per subsection column, in `subsections` order. */
  scores: SubsectionScore[];
  cohort: string;
  enrollmentTrack: string;
  enrollmentStatus: string;
  certificateEligible: boolean | null;
  certificateDelivered: boolean | null;
}

export interface GradeReport {
  subsections: { name: string; position: number }[];
  averageColumns: string[];
  learners: ReportLearner[];
}

export type ReportResult = { ok: true; report: GradeReport } | { ok: false; errors: ReportError[] };

export const REQUIRED_COLUMNS = ['Student ID', 'Email', 'Username', 'Grade'] as const;

/** Columns after the subsections: enrollment, cohort, experiment groups, certificates. */
const TRAILING =
  /^(cohort name|team name|experiment group\b.*|enrollment track|verification status|certificate eligible|certificate delivered|certificate type|enrollment status|is enrolled|id verification status)$/i;

/** At most this many errors are listed; the count of the rest is given. */
const MAX_ERRORS = 50;

const NUMBER = /^(?:\d+(?:\.\d*)?|\.\d+)(?:e-?\d+)?$/i;

export function parseScore(cell: string): SubsectionScore | null {
  const v = cell.trim();
  if (/^not (attempted|available)$/i.test(v)) return { score: 0, attempted: false };
  if (!NUMBER.test(v)) return null;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || n > 1) return null;
  return { score: Math.round(n * 10_000) / 10_000, attempted: true };
}

function yesNo(cell: string | undefined): boolean | null {
  const v = (cell ?? '').trim().toLowerCase();
  if (v === 'y' || v === 'yes' || v === 'true') return true;
  if (v === 'n' || v === 'no' || v === 'false') return false;
  return null;
}

/** "Enrollment Status" as edX writes it, or from an "Is Enrolled" yes/no column when that is all there is. */
function enrollmentOf(status: string, isEnrolled: string): string {
  if (status) return status.toLowerCase();
  const yes = yesNo(isEnrolled);
  return yes === null ? '' : yes ? 'enrolled' : 'unenrolled';
}

function readRecords(text: string, delimiter: Delimiter): { records: { cells: string[]; line: number }[] } | { error: ReportError } {
  try {
    const rows = parse(text, { delimiter, bom: true, info: true, skip_empty_lines: true, relax_column_count: true }) as unknown as {
      record: string[];
      info: { lines: number };
    }[];
    // info.lines is the record's last line; a quoted cell may span lines.
    return { records: rows.map((r) => ({ cells: r.record, line: r.info.lines - r.record.reduce((n, c) => n + (c.match(/\n/g)?.length ?? 0), 0) })) };
  } catch (err) {
    const line = (err as { lines?: number }).lines ?? 1;
    return { error: { line, message: `The file is not valid CSV: ${(err as Error).message.split('\n')[0]}` } };
  }
}

/** `delimiter`: edX writes commas; a report re-saved from Excel may have semicolons or tabs (see src/http/text-upload.ts). */
export function parseGradeReport(text: string, delimiter: Delimiter = ','): ReportResult {
  const read = readRecords(text, delimiter);
  if ('error' in read) return { ok: false, errors: [read.error] };
  const { records } = read;
  if (records.length === 0)
    return { ok: false, errors: [{ line: 1, message: 'The file is empty: expected the edX grade report, starting with the header row.' }] };

  const header = records[0].cells.map((h) => h.trim());
  const headerLine = records[0].line;
  const lower = header.map((h) => h.toLowerCase());
  const missing = REQUIRED_COLUMNS.filter((c) => !lower.includes(c.toLowerCase()));
  if (missing.length) {
    return {
      ok: false,
      errors: [
        {
          line: headerLine,
          message: `This does not look like an edX grade report: the header row is missing ${missing.join(', ')} (it should begin Student ID, Email, Username, Grade).`,
        },
      ],
    };
  }
  const errors: ReportError[] = [];
  const seen = new Map<string, number>();
  header.forEach((h, i) => {
    if (h === '') errors.push({ line: headerLine, message: `Column ${i + 1} has no name.` });
    else if (seen.has(h.toLowerCase())) errors.push({ line: headerLine, message: `The column "${h}" appears twice.` });
    seen.set(h.toLowerCase(), i);
  });
  const col = (name: string) => lower.indexOf(name.toLowerCase());
  const gradeAt = col('Grade');
  let trailingAt = header.findIndex((h, i) => i > gradeAt && TRAILING.test(h));
  if (trailingAt < 0) trailingAt = header.length;
  const subsections: GradeReport['subsections'] = [];
  const averageColumns: string[] = [];
  for (let i = gradeAt + 1; i < trailingAt; i++) {
    if (/\(avg\)\s*$/i.test(header[i])) averageColumns.push(header[i]);
    else subsections.push({ name: header[i], position: i });
  }
  if (subsections.length === 0) errors.push({ line: headerLine, message: 'The report has no subsection columns between Grade and the enrollment columns.' });
  if (errors.length) return { ok: false, errors };

  const learners: ReportLearner[] = [];
  let more = 0;
  const fail = (line: number, message: string) => (errors.length < MAX_ERRORS ? errors.push({ line, message }) : more++);
  const firstLineOf = new Map<string, number>();
  for (const { cells, line } of records.slice(1)) {
    if (cells.length !== header.length) {
      fail(line, `The row has ${cells.length} cells; the header has ${header.length}.`);
      continue;
    }
    const cell = (name: string) => (col(name) >= 0 ? (cells[col(name)] ?? '').trim() : '');
    const problems: string[] = [];
    const username = cell('Username');
    const email = cell('Email');
    if (!username && !email) problems.push('the learner has neither an email nor a username');
    const grade = parseScore(cell('Grade'));
    if (!grade || !grade.attempted) problems.push(`Grade "${cell('Grade')}" is not a number from 0 to 1`);
    const scores: SubsectionScore[] = [];
    for (const s of subsections) {
      const score = parseScore(cells[s.position]);
      if (score) scores.push(score);
      else problems.push(`"${s.name}" is "${cells[s.position]}", not a score from 0 to 1 or "Not Attempted"`);
    }
    const key = (username || email).toLowerCase();
    const earlier = firstLineOf.get(key);
    if (earlier !== undefined) problems.push(`${username || email} already appears on line ${earlier}`);
    else firstLineOf.set(key, line);
    if (problems.length) {
      fail(
        line,
        `${problems.join('; ')}.`.replace(/^./, (c) => c.toUpperCase()),
      );
      continue;
    }
    learners.push({
      line,
      studentId: cell('Student ID'),
      email,
      username,
      grade: grade!.score,
      scores,
      cohort: cell('Cohort Name'),
      enrollmentTrack: cell('Enrollment Track'),
      enrollmentStatus: enrollmentOf(cell('Enrollment Status'), cell('Is Enrolled')),
      certificateEligible: yesNo(cell('Certificate Eligible')),
      certificateDelivered: yesNo(cell('Certificate Delivered')),
    });
  }
  if (more) errors.push({ line: records[records.length - 1].line, message: `…and ${more} more problem${more === 1 ? '' : 's'} not listed.` });
  if (errors.length) return { ok: false, errors };
  if (learners.length === 0) return { ok: false, errors: [{ line: headerLine, message: 'The report has a header row but no learners.' }] };
  return { ok: true, report: { subsections, averageColumns, learners } };
}
