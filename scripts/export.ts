import fs from 'node:fs';
import { once } from 'node:events';
import { exportLines } from '../src/backup/backup.service';
import { prepareDatabase } from '../src/bootstrap';
import { clockFromConfig, systemClock } from '../src/clock';
import { loadConfig } from '../src/config';
import { makeLogger } from '../src/context';

/** `npm run export -- backup.jsonl` (or to stdout): a complete, restorable export. */
async function main() {
  const config = loadConfig();
  const file = process.argv[2];
  const handle = await prepareDatabase(config, makeLogger('error'), { seed: false });
  const out = file ? fs.createWriteStream(file) : process.stdout;
  let rows = -1;
  for await (const line of exportLines(handle.db, (config.APP_NOW ? clockFromConfig(config.APP_NOW) : systemClock).now())) {
    if (!out.write(line + '\n')) await once(out, 'drain');
    rows += 1;
  }
  if (file) {
    out.end();
    await once(out, 'finish');
    console.error(`Exported ${rows} rows to ${file}`);
  }
  await handle.close();
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
