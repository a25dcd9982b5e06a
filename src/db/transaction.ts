import type { Kysely, Transaction } from 'kysely';
import type { Database, Db } from './database';

/** Runs `fn` in the caller's transaction when `db` is one, otherwise in a new transaction of its own. */
export function inTransaction<T>(db: Db, fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db as Transaction<Database>) : (db as Kysely<Database>).transaction().execute(fn);
}
