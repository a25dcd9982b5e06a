import type { Generated } from 'kysely';

/** A closed enrollment: the student was enrolled from enrolled_at until dropped_at, then re-enrolled (migration 0110). */
export interface EnrollmentPeriodTable {
  id: Generated<number>;
  user_id: number;
  enrolled_at: Date;
  dropped_at: Date;
}

export type RosterImportStatus = 'preview' | 'queued' | 'running' | 'done' | 'failed';

/** A staged roster import (migration 0170): the decoded text, previewed, then confirmed and run. */
export interface RosterImportTable {
  id: Generated<number>;
  offering_id: number;
  created_by: number;
  created_at: Date;
  file_name: string | null;
  encoding: string;
  delimiter: string;
  csv_text: string;
  row_count: number;
  status: Generated<RosterImportStatus>;
  processed: Generated<number>;
  created_count: Generated<number>;
  error: string | null;
  locked_until: Date | null;
  updated_at: Date;
}

/** One row: moved by a trigger whenever who is in the class changes (migration 0096, src/roster/class-size.ts). */
export interface RosterVersionTable {
  id: number;
  version: number;
}

/** The tables migrations 0096, 0110_roster_enrollment and 0170_roster_imports create for the roster. */
export interface RosterTables {
  roster_version: RosterVersionTable;
  enrollment_period: EnrollmentPeriodTable;
  roster_import: RosterImportTable;
}
