import fs from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { pgliteDatabase, pgliteParsers, postgresDatabase } from '../../src/db/connect';
import { migrateToLatest } from '../../src/db/migrate';
import { seedAll } from '../../src/seed';
import { adminQuery, DEMO_PASSWORD, pgliteTemplateFile, testDatabaseUrl, urlForDatabase } from './db';

/** Migrates and seeds one template database; every test file clones it (see db.ts). */
export default async function globalSetup(): Promise<void> {
  const name = `cc_template_${process.pid}_${Date.now()}`;
  process.env.CC_TEST_TEMPLATE = name;
  const url = testDatabaseUrl();
  if (url) {
    try {
      await adminQuery(url, 'select 1');
    } catch (err) {
      throw new Error(`TEST_DATABASE_URL is set but PostgreSQL is not reachable at ${url}: ${(err as Error).message}`, { cause: err });
    }
    await adminQuery(url, `create database ${name}`);
    const handle = postgresDatabase(urlForDatabase(url, name), 2);
    await migrateToLatest(handle.db);
    await handle.db.transaction().execute((trx) => seedAll(trx, { demoPassword: DEMO_PASSWORD }));
    await handle.close();
    (globalThis as Record<string, unknown>).__ccTemplate = { url, name };
    return;
  }
  const pglite = await PGlite.create({ parsers: pgliteParsers });
  const handle = pgliteDatabase(pglite);
  await migrateToLatest(handle.db);
  await handle.db.transaction().execute((trx) => seedAll(trx, { demoPassword: DEMO_PASSWORD }));
  const dump = await pglite.dumpDataDir('gzip');
  fs.writeFileSync(pgliteTemplateFile(name), Buffer.from(await dump.arrayBuffer()));
  await handle.close();
  (globalThis as Record<string, unknown>).__ccTemplate = { file: pgliteTemplateFile(name) };
}
