import { prepareDatabase } from '../src/bootstrap';
import { clockFromConfig } from '../src/clock';
import { ConfigError, loadConfig, type Config } from '../src/config';
import { makeLogger } from '../src/context';
import type { Db } from '../src/db/database';
import { Invalid } from '../src/errors';

/**
 * A command-line command on the migrated, seeded database: prints what `run` says; bad arguments
 * (Invalid) and bad configuration print their message and exit 2, anything else exits 1.
 */
export function runCommand(run: (db: Db, argv: string[], config: Config, now: Date) => Promise<string>): void {
  const main = async () => {
    const config = loadConfig();
    const handle = await prepareDatabase(config, makeLogger(config.LOG_LEVEL), { seed: true });
    try {
      console.log(await run(handle.db, process.argv.slice(2), config, clockFromConfig(config.APP_NOW).now()));
    } finally {
      await handle.close();
    }
  };
  main().catch((err) => {
    console.error(err instanceof Invalid || err instanceof ConfigError ? err.message : err);
    process.exit(err instanceof Invalid || err instanceof ConfigError ? 2 : 1);
  });
}
