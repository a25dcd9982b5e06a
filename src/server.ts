import { createApp } from './app';
import { buildContext, prepareDatabase } from './bootstrap';
import { ConfigError, loadConfig } from './config';
import { makeLogger } from './context';
import { DataDirLockedError } from './db/connect';
import { DatabaseUnreachable } from './db/connection-errors';
import { Worker } from './worker/worker';

/** `npm start`: open (and migrate, and seed) the database, serve HTTP, run the worker. */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = makeLogger(config.LOG_LEVEL);
  const handle = await prepareDatabase(config, log, { seed: true });
  const ctx = buildContext(config, handle);
  const app = createApp(ctx);
  const worker = config.WORKER === 'on' ? new Worker(ctx, config.WORKER_INTERVAL_MS) : null;
  worker?.start();

  const server = app.listen(config.PORT, config.HOST, () => {
    log(
      'info',
      `Cohort Companion on ${config.baseUrl} (database: ${handle.kind === 'pglite' ? `embedded PGlite in ${config.dataDir}` : 'PostgreSQL'}${config.APP_NOW ? `, clock pinned to ${config.APP_NOW}` : ''})`,
    );
  });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log('info', `${signal}: finishing in-flight requests and the email being sent…`);
    const force = setTimeout(() => process.exit(1), 20_000);
    force.unref();
    // Both at once: the worker stops between messages and hands its unsent claims back.
    await Promise.all([new Promise<void>((resolve) => server.close(() => resolve())), worker?.stop()]);
    ctx.mail.close();
    await handle.close();
    log('info', 'Stopped cleanly.');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err) => {
  if (err instanceof ConfigError || err instanceof DataDirLockedError || err instanceof DatabaseUnreachable) {
    console.error(err.message);
  } else {
    console.error(err);
  }
  process.exit(1);
});
