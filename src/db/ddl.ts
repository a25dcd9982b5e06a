import { sql } from 'kysely';
import type { UntypedDb } from './database';

/**
 * Runs a block of DDL one statement at a time (PGlite's extended protocol takes one statement
 * per query). Statements are separated by a semicolon at the end of a line.
 */
export async function runStatements(db: UntypedDb, ddl: string): Promise<void> {
  const statements = ddl
    .split(/;\s*$/m)
    .map((s) => s.trim())
    .filter((s) => s.length > 0 && !/^(--[^\n]*\n?)+$/.test(s));
  for (const statement of statements) await sql.raw(statement).execute(db);
}
