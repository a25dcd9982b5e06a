import { prepareDatabase } from '../src/bootstrap';
import { loadConfig } from '../src/config';
import { makeLogger } from '../src/context';
import { seedScale } from '../src/scale/seed-scale';

/**
 * `npm run seed:scale -- --learners 50000`: a realistic semester for N learners in the database
 * named by DATABASE_URL (or the embedded one). Learners log in as learnerN@scale.example with
 * SEED_DEMO_PASSWORD (default demo-password-1).
 */
async function main() {
  const args = process.argv.slice(2);
  const at = args.indexOf('--learners');
  const learners = at >= 0 ? Number(args[at + 1]) : 500;
  if (!Number.isInteger(learners) || learners < 2 || learners > 1_000_000) throw new Error('--learners must be a whole number from 2 to 1000000');
  const config = loadConfig();
  const password = config.SEED_DEMO_PASSWORD ?? 'demo-password-1';
  const handle = await prepareDatabase(config, makeLogger('info'), { seed: true });
  const started = Date.now();
  console.log(`Seeding ${learners} learners into ${handle.kind}…`);
  try {
    await seedScale(handle.db, { learners, password, log: console.log });
  } finally {
    await handle.close();
  }
  console.log(
    `Done in ${((Date.now() - started) / 1000).toFixed(1)} s. Log in as learner1@scale.example … learner${learners}@scale.example with password ${config.SEED_DEMO_PASSWORD ? 'SEED_DEMO_PASSWORD' : password}.`,
  );
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
