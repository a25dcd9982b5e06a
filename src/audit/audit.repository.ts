import type { Db } from '../db/database';

/**
 * The append-only audit log of roster changes (table audit_event). Grades keep their own log
 * (grade_event, src/grading), whose rows carry the grade and submission they changed.
 */
export interface AuditEntry {
  offeringId: number;
  subjectUserId: number;
  actorId: number | null;
  action: AuditAction;
  oldValue?: string | null;
  newValue?: string | null;
  at: Date;
}

export type AuditAction = 'drop' | 're-enroll' | 'name' | 'email-requested' | 'email' | 'section' | 'time-zone' | 'retry-email' | 'join' | 'remove' | 'restore';

async function record(db: Db, entries: AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await db
    .insertInto('audit_event')
    .values(
      entries.map((e) => ({
        offering_id: e.offeringId,
        subject_user_id: e.subjectUserId,
        actor_id: e.actorId,
        action: e.action,
        old_value: e.oldValue ?? null,
        new_value: e.newValue ?? null,
        at: e.at,
      })),
    )
    .execute();
}

/** A person's audit log, newest first, with who made each change. */
async function historyOf(db: Db, subjectUserId: number) {
  return db
    .selectFrom('audit_event as a')
    .leftJoin('app_user as actor', 'actor.id', 'a.actor_id')
    .select(['a.id', 'a.action', 'a.old_value', 'a.new_value', 'a.at', 'actor.name as actor_name'])
    .where('a.subject_user_id', '=', subjectUserId)
    .orderBy('a.at', 'desc')
    .orderBy('a.id', 'desc')
    .execute();
}

export const auditRepository = Object.freeze({ record, historyOf });
