import type { Db } from '../db/database';
import { Invalid } from '../errors';
import { addToolKey, retireToolKey, toolKeys } from './tool-keys';

/**
 * `npm run lti:keys -- list | rotate | retire KID`: the tool's signing keys. `rotate` adds a new key
 * that signs from now on; the previous one stays published at /lti/jwks until it is retired, so
 * platforms that cached the old set keep verifying.
 */
export const LTI_KEYS_USAGE = 'Usage: npm run lti:keys -- list | rotate | retire KID';

export async function runKeys(db: Db, argv: string[], now: Date): Promise<string> {
  const [command, kid, ...rest] = argv;
  if (command === 'rotate' && !kid) {
    const key = await addToolKey(db, now);
    return `Added key ${key.kid}: the tool signs with it from now on. The previous key stays published until you retire it (npm run lti:keys -- retire KID) once platforms have fetched the new set.`;
  }
  if (command === 'retire' && kid && rest.length === 0) {
    await retireToolKey(db, kid, now);
    return `Retired key ${kid}: no longer published at /lti/jwks.`;
  }
  if (command === 'list' && !kid) {
    const keys = await toolKeys(db);
    if (!keys.length) return 'No key yet: one is made on first need (the first launch, /lti/jwks, or npm run lti:register).';
    return keys
      .map(
        (k, i) => `${k.kid}  made ${k.created_at.toISOString()}  ${k.retired_at ? `retired ${k.retired_at.toISOString()}` : i === 0 ? 'signing' : 'published'}`,
      )
      .join('\n');
  }
  throw new Invalid(LTI_KEYS_USAGE);
}
