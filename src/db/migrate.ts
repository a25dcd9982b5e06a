import { Migrator } from 'kysely/migration';
import { migrations } from '../../migrations';
import type { UntypedDb } from './database';

export async function migrateToLatest(db: UntypedDb): Promise<string[]> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  // No migration ran and failed (the database could not be reached, the lock not taken): the error as it is.
  if (error && !failed) throw error;
  if (failed) {
    const reason = error instanceof Error ? error.message : String(error ?? 'unknown error');
    throw new Error(`Migration ${failed.migrationName} failed: ${reason}`, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Runs the migrations up to and including `name` (tests of a later migration on old data). */
export async function migrateUpTo(db: UntypedDb, name: string): Promise<void> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error, results } = await migrator.migrateTo(name);
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed)
    throw new Error(`Migration ${failed?.migrationName ?? ''} failed: ${error instanceof Error ? error.message : String(error ?? 'unknown error')}`);
}

/** True when every migration this code knows has run (used by /readyz). */
export async function migrationsCurrent(db: UntypedDb): Promise<boolean> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const all = await migrator.getMigrations();
  return all.every((m) => m.executedAt !== undefined);
}
