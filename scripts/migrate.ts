import { prepareDatabase } from '../src/bootstrap';
import { loadConfig } from '../src/config';
import { makeLogger } from '../src/context';

/** `npm run migrate` (add `-- --seed` to seed too: `npm run seed`). */
async function main() {
  const config = loadConfig();
  const seed = process.argv.includes('--seed');
  const handle = await prepareDatabase(config, makeLogger('info'), { seed });
  console.log(seed ? 'Database migrated and seeded.' : 'Database migrated.');
  await handle.close();
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
