import { runKeys } from '../src/lti/keys-command';
import { runCommand } from './cli';

/** `npm run lti:keys -- list | rotate | retire KID`: see src/lti/keys-command.ts. */
runCommand((db, argv, _config, now) => runKeys(db, argv, now));
