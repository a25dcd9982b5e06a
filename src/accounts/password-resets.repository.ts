import type { Db } from '../db/database';

/** Forgot-password requests waiting for the worker (src/accounts/accounts.service.ts answers them). */
async function insert(db: Db, normalizedEmail: string): Promise<void> {
  await db.insertInto('password_reset_request').values({ email: normalizedEmail }).execute();
}

/** Takes (deletes and returns) up to `batch` waiting requests, oldest first; another worker skips the ones taken. */
async function takeBatch(db: Db, batch: number): Promise<{ email: string }[]> {
  return db
    .deleteFrom('password_reset_request')
    .where('id', 'in', db.selectFrom('password_reset_request').select('id').orderBy('id').limit(batch).forUpdate().skipLocked())
    .returning(['email'])
    .execute();
}

export const passwordResetsRepository = Object.freeze({ insert, takeBatch });
