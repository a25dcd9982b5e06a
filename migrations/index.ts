import type { Migration } from 'kysely/migration';
import * as m0001 from './0001_accounts_and_course';
import * as m0002 from './0002_lesson_work';
import * as m0003 from './0003_portfolio_core';
import * as m0004 from './0004_portfolio_items';

/**
 * Every migration, by name. Names sort in the order they run; add new ones at the end.
 * A landed migration is never edited: write a new one.
 */
export const migrations: Record<string, Migration> = {
  '0001_accounts_and_course': m0001,
  '0002_lesson_work': m0002,
  '0003_portfolio_core': m0003,
  '0004_portfolio_items': m0004,
};
