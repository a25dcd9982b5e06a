import type { Db } from '../db/database';
import { Invalid } from '../errors';
import { registerPlatform, platformSchema, toolUrls } from './platforms';
import { currentToolKey } from './tool-keys';

/**
 * `npm run lti:register -- --issuer URL --client-id ID --deployment-id ID --auth-url URL
 * --token-url URL --jwks-url URL --offering SLUG`: registers a platform (idempotent) and prints the
 * tool's three URLs to paste into the platform. Parsed and run here, printed by scripts/lti-register.ts.
 */
export const LTI_REGISTER_USAGE =
  'Usage: npm run lti:register -- --issuer URL --client-id ID --deployment-id ID --auth-url URL --token-url URL --jwks-url URL --offering educ-551-639-winter-2020';

const FLAGS: Record<string, keyof typeof platformSchema.shape> = {
  '--issuer': 'issuer',
  '--client-id': 'clientId',
  '--deployment-id': 'deploymentId',
  '--auth-url': 'authUrl',
  '--token-url': 'tokenUrl',
  '--jwks-url': 'jwksUrl',
  '--offering': 'offering',
};

export function parseRegisterArgs(argv: string[]) {
  const raw: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const field = FLAGS[flag];
    if (!field) throw new Invalid(`Unknown argument ${argv[i]}\n${LTI_REGISTER_USAGE}`);
    raw[field] = inline ?? argv[++i] ?? '';
  }
  const parsed = platformSchema.safeParse(raw);
  if (!parsed.success)
    throw new Invalid(
      `${parsed.error.issues.map((i) => `--${String(i.path[0]).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: ${i.message}`).join('\n')}\n${LTI_REGISTER_USAGE}`,
    );
  return parsed.data;
}

/** Registers and says what happened, with the URLs; the tool's signing key is made now if there is none. */
export async function runRegister(db: Db, argv: string[], baseUrl: string, now: Date): Promise<string> {
  const input = parseRegisterArgs(argv);
  const result = await db.transaction().execute((trx) => registerPlatform(trx, input, now));
  const key = await currentToolKey(db, now);
  const urls = toolUrls(baseUrl);
  return [
    `${result.created ? 'Registered' : 'Updated'} platform ${input.issuer} (client id ${input.clientId}); deployment ${input.deploymentId} ${result.deploymentAdded ? 'added' : 'already known'}.`,
    'Paste these into the platform (in Studio: the LTI component, LTI 1.3):',
    `  Login URL:  ${urls.login}`,
    `  Launch URL: ${urls.launch}`,
    `  Keyset URL: ${urls.jwks}   (signing key ${key.kid})`,
  ].join('\n');
}
