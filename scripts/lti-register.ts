import { runRegister } from '../src/lti/register-command';
import { runCommand } from './cli';

/** `npm run lti:register -- …`: see src/lti/register-command.ts. */
runCommand((db, argv, config, now) => runRegister(db, argv, config.baseUrl, now));
