import { queryCount } from '../../src/db/query-counter';

/** How many SQL queries `run` made (the app's own counter, as the bench counts them). */
export async function queriesOf(run: () => Promise<unknown>): Promise<number> {
  const before = queryCount();
  await run();
  return queryCount() - before;
}
