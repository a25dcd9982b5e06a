import type { Clock } from './clock';
import { clockFromConfig } from './clock';
import type { Config } from './config';
import { makeLogger, type AppContext } from './context';
import { openDatabase, type DatabaseHandle } from './db/connect';
import { DatabaseUnreachable, isConnectionError } from './db/connection-errors';
import { migrateToLatest } from './db/migrate';
import { consoleSender, smtpSender, type MailSender } from './mail/transport';
import { seedAll } from './seed';
import path from 'node:path';

/**
 * Opens the configured database, runs pending migrations, seeds an empty database, and builds
 * the context the app and the worker share.
 */
export async function prepareDatabase(config: Config, log: AppContext['log'], opts: { seed: boolean }): Promise<DatabaseHandle> {
  const handle = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.dataDir, poolSize: config.DATABASE_POOL_SIZE });
  try {
    const ran = await migrateToLatest(handle.db);
    if (ran.length) log('info', `Migrated: ${ran.join(', ')}`);
    if (opts.seed) {
      const seeded = await handle.db.transaction().execute((trx) => seedAll(trx, { demoPassword: config.SEED_DEMO_PASSWORD }));
      if (seeded.offeringsCreated.length) log('info', `Seeded course offerings: ${seeded.offeringsCreated.join(', ')}`);
      if (seeded.demoAccountsCreated) {
        log(
          'info',
          `Seeded ${seeded.demoAccountsCreated} demo accounts: instructor@cohort.example and student1…student12@cohort.example.` +
            (seeded.generatedPassword
              ? `\n  Their password (shown once; set SEED_DEMO_PASSWORD to choose it): ${seeded.generatedPassword}`
              : '\n  Their password is SEED_DEMO_PASSWORD.'),
        );
      }
    }
  } catch (err) {
    await handle.close().catch(() => undefined);
    if (config.DATABASE_URL && isConnectionError(err)) throw new DatabaseUnreachable(config.DATABASE_URL, err);
    throw err;
  }
  return handle;
}

export function mailSenderFor(config: Config): MailSender {
  if (config.SMTP_URL) return smtpSender(config.SMTP_URL);
  if (config.NODE_ENV === 'production') {
    // Only reachable with MAIL_WITHOUT_SMTP=log-links (src/config.ts refuses production otherwise).
    console.error(
      'WARNING: production without SMTP_URL (MAIL_WITHOUT_SMTP=log-links): every email, password links included, goes to this log and DATA_DIR/mail.',
    );
  }
  return consoleSender(path.join(config.dataDir, 'mail'));
}

export function buildContext(config: Config, handle: DatabaseHandle, overrides: { clock?: Clock; mail?: MailSender } = {}): AppContext {
  return {
    db: handle.db,
    dbKind: handle.kind,
    config,
    clock: overrides.clock ?? clockFromConfig(config.APP_NOW),
    mail: overrides.mail ?? mailSenderFor(config),
    log: makeLogger(config.LOG_LEVEL),
  };
}
