import type { Generated } from 'kysely';

export type DigestOutcome = 'queued' | 'nothing_new' | 'opted_out';

/**
 * One daily digest run per instructor and local date (migration 0210): the primary key is the
 * exactly-once guard. `window_start`–`window_end` is what it covered; `behind_user_ids` the
 * students it counted as behind by 2+ lessons (the next run reports only the newly behind).
 */
export interface DigestRunTable {
  instructor_id: number;
  local_date: string;
  window_start: Date;
  window_end: Date;
  behind_user_ids: unknown;
  outcome: DigestOutcome;
  outbound_email_id: number | null;
  created_at: Generated<Date>;
}

export interface DigestTables {
  digest_run: DigestRunTable;
}
