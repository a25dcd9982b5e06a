import type { Generated } from 'kysely';

export type SU = 'S' | 'U';

/** A student's current S/U grade for one portfolio, and the submission it was given for. */
export interface GradeTable {
  id: Generated<number>;
  user_id: number;
  portfolio_requirement_id: number;
  portfolio_submission_id: number;
  grade: SU;
  feedback: string;
  graded_by: number;
  graded_at: Date;
}

/** The append-only audit log: one row per grade change (the database refuses updates and deletes). */
export interface GradeEventTable {
  id: Generated<number>;
  grade_id: number;
  user_id: number;
  portfolio_requirement_id: number;
  portfolio_submission_id: number;
  actor_id: number;
  at: Date;
  old_grade: SU | null;
  new_grade: SU;
  old_feedback: string | null;
  feedback: string;
}

/** The tables migration 0021_grading creates. */
export interface GradingTables {
  grade: GradeTable;
  grade_event: GradeEventTable;
}
