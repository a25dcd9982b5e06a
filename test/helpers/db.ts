import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { pgliteDatabase, pgliteParsers, postgresDatabase, type DatabaseHandle } from '../../src/db/connect';
import { migrateToLatest, migrateUpTo } from '../../src/db/migrate';

/**
 * A fresh database per test file, cloned from a template that global setup migrated and seeded
 * once: PGlite loads a dumped data dir; PostgreSQL creates a database from a template database.
 * TEST_DATABASE_URL selects PostgreSQL (CI runs the suite both ways).
 */
export const DEMO_PASSWORD = 'demo-password-1';

export function testDatabaseUrl(): string | undefined {
  return process.env.TEST_DATABASE_URL || undefined;
}

export function templateName(): string {
  const name = process.env.CC_TEST_TEMPLATE;
  if (!name) throw new Error('CC_TEST_TEMPLATE is not set: run the tests through jest (global setup builds the template).');
  return name;
}

export function pgliteTemplateFile(name: string): string {
  return path.join(os.tmpdir(), `${name}.tar.gz`);
}

export function urlForDatabase(baseUrl: string, database: string): string {
  const u = new URL(baseUrl);
  u.pathname = `/${database}`;
  return u.toString();
}

async function adminQuery(baseUrl: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: baseUrl });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

export async function freshDatabase(): Promise<DatabaseHandle> {
  const url = testDatabaseUrl();
  const template = templateName();
  if (url) {
    const name = `cc_test_${crypto.randomBytes(6).toString('hex')}`;
    await adminQuery(url, `create database ${name} template ${template}`);
    const handle = postgresDatabase(urlForDatabase(url, name), 5);
    return {
      ...handle,
      close: async () => {
        await handle.close();
        await adminQuery(url, `drop database if exists ${name} with (force)`);
      },
    };
  }
  const blob = new Blob([fs.readFileSync(pgliteTemplateFile(template))]);
  const pglite = await PGlite.create({ loadDataDir: blob, parsers: pgliteParsers });
  return pgliteDatabase(pglite);
}

export { adminQuery };

/**
 * A migrated database with no rows (for restoring a backup into). With `upTo`, only the migrations
 * up to that one have run: a database as an older release left it, to test a later migration on.
 */
export async function emptyDatabase(opts: { upTo?: string } = {}): Promise<DatabaseHandle> {
  const migrate = (db: Parameters<typeof migrateToLatest>[0]) => (opts.upTo ? migrateUpTo(db, opts.upTo) : migrateToLatest(db));
  const url = testDatabaseUrl();
  if (url) {
    const name = `cc_test_${crypto.randomBytes(6).toString('hex')}`;
    await adminQuery(url, `create database ${name}`);
    const handle = postgresDatabase(urlForDatabase(url, name), 5);
    await migrate(handle.db);
    return {
      ...handle,
      close: async () => {
        await handle.close();
        await adminQuery(url, `drop database if exists ${name} with (force)`);
      },
    };
  }
  const handle = pgliteDatabase(await PGlite.create({ parsers: pgliteParsers }));
  await migrate(handle.db);
  return handle;
}
