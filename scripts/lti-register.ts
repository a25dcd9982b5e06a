import { prepareDatabase } from '../src/bootstrap';
import { clockFromConfig } from '../src/clock';
import { ConfigError, loadConfig } from '../src/config';
import { makeLogger } from '../src/context';
import { Invalid } from '../src/errors';
import { runRegister } from '../src/lti/register-command';

/** `npm run lti:register -- …`: see src/lti/register-command.ts. */
async function main(): Promise<void> {
  const config = loadConfig();
  const handle = await prepareDatabase(config, makeLogger(config.LOG_LEVEL), { seed: true });
  try {
    console.log(await runRegister(handle.db, process.argv.slice(2), config.baseUrl, clockFromConfig(config.APP_NOW).now()));
  } finally {
    await handle.close();
  }
}

main().catch((err) => {
  console.error(err instanceof Invalid || err instanceof ConfigError ? err.message : err);
  process.exit(err instanceof Invalid || err instanceof ConfigError ? 2 : 1);
});
