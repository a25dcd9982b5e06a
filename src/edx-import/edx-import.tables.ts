import type { Generated } from 'kysely';

/** One upload of an edX grade report (the import log). Unmatched rows are kept (at most 200)
 * so the instructor can link them to students; they carry no scores. */
export interface EdxImportTable {
  id: Generated<number>;
  edx_course_id: number;
  imported_by: number;
  imported_at: Date;
  file_name: string;
  learner_rows: number;
  matched: number;
  matched_by_username: number;
  unmatched: number;
  subsection_columns: number;
  progress_rows: number;
  unmatched_rows: Generated<unknown>;
}

/** A student's edX account, stored at the first match (by email) or when the instructor links
 * an unmatched report row to a student; later reports match by this username. */
export interface EdxAccountTable {
  user_id: number;
  username: string;
  edx_student_id: string | null;
  linked_at: Date;
  /** Null when the import linked it automatically by email. */
  linked_by: number | null;
}

export type MappingSource = 'guess' | 'instructor';

/** A subsection column of an edX course's report and the unit it counts toward (null: ignored). */
export interface EdxSubsectionMapTable {
  id: Generated<number>;
  edx_course_id: number;
  column_name: string;
  /** Its column order in the latest report that had it. */
  position: number;
  unit_id: number | null;
  source: MappingSource;
  updated_by: number | null;
  updated_at: Date;
  last_import_id: number;
}

/** A student's score on one subsection, as the latest report gave it ("Not Attempted": 0, false). */
export interface EdxSubsectionScoreTable {
  user_id: number;
  subsection_map_id: number;
  score: number;
  attempted: boolean;
  import_id: number;
}

/** edX progress per student per unit: the mean of the unit's mapped subsection scores. */
export interface EdxProgressTable {
  user_id: number;
  unit_id: number;
  score: number;
  attempted: boolean;
  subsections: number;
  subsections_attempted: number;
  import_id: number;
  updated_at: Date;
}

/** The report's course grade, enrollment and certificate columns per student per edX course. */
export interface EdxCourseGradeTable {
  user_id: number;
  edx_course_id: number;
  grade: number;
  enrollment_track: Generated<string>;
  certificate_eligible: boolean | null;
  certificate_delivered: boolean | null;
  enrollment_status: Generated<string>;
  import_id: number;
  updated_at: Date;
}

/** The tables migration 0041_edx_progress creates. */
export interface EdxImportTables {
  edx_import: EdxImportTable;
  edx_account: EdxAccountTable;
  edx_subsection_map: EdxSubsectionMapTable;
  edx_subsection_score: EdxSubsectionScoreTable;
  edx_progress: EdxProgressTable;
  edx_course_grade: EdxCourseGradeTable;
}
