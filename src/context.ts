import type { Kysely } from 'kysely';
import type { Clock } from './clock';
import type { Config } from './config';
import type { Database } from './db/database';
import type { DatabaseKind } from './db/connect';
import type { MailSender } from './mail/transport';

/** What the app and worker are built from; tests build one with their own db, clock and SMTP. */
export interface AppContext {
  db: Kysely<Database>;
  dbKind: DatabaseKind;
  config: Config;
  clock: Clock;
  mail: MailSender;
  log: (level: 'error' | 'info' | 'debug', message: string) => void;
}

export function makeLogger(level: Config['LOG_LEVEL']): AppContext['log'] {
  const order = { silent: 0, error: 1, info: 2, debug: 3 } as const;
  return (l, message) => {
    if (order[l] <= order[level]) (l === 'error' ? console.error : console.log)(message);
  };
}
