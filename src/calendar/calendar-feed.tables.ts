import type { Generated } from 'kysely';

/** A personal calendar feed link (migrations/0010_calendar_feed.ts); one live row per user. */
export interface CalendarFeedTable {
  id: Generated<number>;
  user_id: number;
  token: string;
  created_at: Date;
  revoked_at: Date | null;
}

export interface CalendarFeedTables {
  calendar_feed: CalendarFeedTable;
}
