import { sql, type RawBuilder } from 'kysely';

/**
 * `column = any($1)`: a list of ids as one array parameter instead of one parameter per id
 * (`in ($1, $2, …)`). The statement's text is then the same for any number of ids, so PostgreSQL
 * prepares it once (src/db/connect.ts) and the query builder has one node to build, not fifty.
 *
 *   .where('g.user_id', '=', anyOf(userIds))
 */
export function anyOf<T extends number | string>(values: readonly T[]): RawBuilder<T> {
  return sql<T>`any(${values as T[]})`;
}
