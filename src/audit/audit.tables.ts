import type { Generated } from 'kysely';

/** One change an instructor made to a person on the roster; append-only (migration 0110 refuses updates and deletes). */
export interface AuditEventTable {
  id: Generated<number>;
  offering_id: number;
  subject_user_id: number;
  /** Null when the person acted themselves (confirming their new email address). */
  actor_id: number | null;
  action: string;
  old_value: string | null;
  new_value: string | null;
  at: Date;
}

export interface AuditTables {
  audit_event: AuditEventTable;
}
