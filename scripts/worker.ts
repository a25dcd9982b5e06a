import { buildContext, prepareDatabase } from '../src/bootstrap';
import { loadConfig } from '../src/config';
import { makeLogger } from '../src/context';
import { Worker } from '../src/worker/worker';

/** `npm run worker`: the background worker as its own process (the app also runs one). */
async function main() {
  const config = loadConfig();
  const handle = await prepareDatabase(config, makeLogger(config.LOG_LEVEL), { seed: false });
  const ctx = buildContext(config, handle);
  const worker = new Worker(ctx, config.WORKER_INTERVAL_MS);
  worker.start();
  console.log(`Worker running every ${config.WORKER_INTERVAL_MS} ms (${handle.kind}).`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    // Finishes the email being sent, hands the rest of its batch back to the outbox.
    await worker.stop();
    ctx.mail.close();
    await handle.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
