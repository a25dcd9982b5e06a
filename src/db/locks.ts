import { sql } from 'kysely';
import type { Db } from './database';

/**
 * A transaction-scoped lock on a name (released at commit or rollback), for writes that append
 * rows without a parent row to lock: two saves of one student's Learning Check are ordered, so
 * the second sees the first when it checks the version its form was opened on.
 */
export async function lockName(trx: Db, name: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext(${name}))`.execute(trx);
}
