import type { LogEvent } from 'kysely';

/**
 * Counts SQL queries (the benchmark reports queries per request; tests use it to prove
 * there is no N+1). Cheap enough to leave on: one increment per query.
 */
let count = 0;

export function countQueries(event: LogEvent): void {
  if (event.level === 'query') count += 1;
}

export function queryCount(): number {
  return count;
}
