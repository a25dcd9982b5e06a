import { sql } from 'kysely';

/** A timestamp column's local calendar day in `zone`, as 'YYYY-MM-DD' (for per-day counts in SQL). */
export const localDay = (column: string, zone: string) => sql<string>`to_char(${sql.ref(column)} at time zone ${zone}, 'YYYY-MM-DD')`;
