import type { Generated } from 'kysely';

/** A closed enrollment: the student was enrolled from enrolled_at until dropped_at, then re-enrolled (migration 0110). */
export interface EnrollmentPeriodTable {
  id: Generated<number>;
  user_id: number;
  enrolled_at: Date;
  dropped_at: Date;
}

/** The tables migration 0110_roster_enrollment creates for the roster. */
export interface RosterTables {
  enrollment_period: EnrollmentPeriodTable;
}
