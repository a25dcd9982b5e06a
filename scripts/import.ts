import { importFile } from '../src/backup/backup.service';
import { prepareDatabase } from '../src/bootstrap';
import { loadConfig } from '../src/config';
import { makeLogger } from '../src/context';

/** `npm run import -- backup.jsonl`: restore an export into an empty database (migrated first). */
async function main() {
  const file = process.argv[2];
  if (!file) throw new Error('Usage: npm run import -- <backup.jsonl>');
  const config = loadConfig();
  const handle = await prepareDatabase(config, makeLogger('error'), { seed: false });
  try {
    const counts = await importFile(handle.db, file);
    console.log(`Imported ${Object.values(counts).reduce((a, b) => a + b, 0)} rows into ${Object.keys(counts).length} tables.`);
  } finally {
    await handle.close();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
