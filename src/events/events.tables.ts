import type { Generated } from 'kysely';

export type EventChangeAction = 'created' | 'changed' | 'cancelled';

/** One row per change the instructor makes to a calendar event: what it was before (so a move
 * never loses the old time) and the sequence number the change gave it. */
export interface CalendarEventChangeTable {
  id: Generated<number>;
  calendar_event_id: number;
  sequence: number;
  action: EventChangeAction;
  changed_by: number;
  changed_at: Date;
  previous: unknown;
  note: Generated<string>;
}

export interface EventsTables {
  calendar_event_change: CalendarEventChangeTable;
}
