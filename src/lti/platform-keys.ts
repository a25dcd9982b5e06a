import { createLocalJWKSet, decodeProtectedHeader, errors, jwtVerify, type JSONWebKeySet, type JWTPayload } from 'jose';
import { LaunchRefused } from './refusals';

/**
 * A platform's public keys, fetched from its registered JWKS URL and kept in memory per URL (a
 * cache: every instance fetches its own copy, nothing depends on it being shared). A launch signed
 * with a key id not in the copy refetches the set once (the platform rotated its key); the same
 * unknown key id is not refetched again for a minute, so a stream of forged key ids cannot turn the
 * tool into a fetcher. A copy older than an hour is refetched before use. A platform that does not
 * answer within 5 s, or answers something that is not a JWK Set, is a refusal that says so (502).
 */
const MAX_AGE_MS = 60 * 60 * 1000;
const UNKNOWN_KID_RETRY_MS = 60 * 1000;
const FETCH_TIMEOUT_MS = 5000;
const MAX_BYTES = 256 * 1024;

interface Copy {
  jwks: JSONWebKeySet;
  fetchedAt: number;
  triedKids: Map<string, number>;
}

const copies = new Map<string, Copy>();
const monotonic = () => performance.now();

async function fetchJwks(url: string): Promise<JSONWebKeySet> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), headers: { accept: 'application/json' }, redirect: 'error' });
  } catch (err) {
    throw new LaunchRefused(
      502,
      `The platform's public keys could not be fetched from ${url} (${(err as Error).name === 'TimeoutError' ? 'no answer within 5 seconds' : 'the connection failed'}).`,
      'Try the launch again in a minute. If it keeps failing, check the JWKS URL registered for this platform (npm run lti:register --jwks-url).',
    );
  }
  const body = await res.text();
  let jwks: unknown;
  try {
    jwks = body.length <= MAX_BYTES ? JSON.parse(body) : null;
  } catch {
    jwks = null;
  }
  if (!res.ok || !jwks || !Array.isArray((jwks as JSONWebKeySet).keys))
    throw new LaunchRefused(
      502,
      `The platform's JWKS URL ${url} answered ${res.status} without a JWK Set.`,
      'Check the JWKS URL registered for this platform (npm run lti:register --jwks-url): it must answer a JSON object with a "keys" array.',
    );
  return jwks as JSONWebKeySet;
}

async function copyOf(url: string, fresh = false): Promise<Copy> {
  const cached = copies.get(url);
  if (cached && !fresh && monotonic() - cached.fetchedAt < MAX_AGE_MS) return cached;
  const copy: Copy = { jwks: await fetchJwks(url), fetchedAt: monotonic(), triedKids: cached?.triedKids ?? new Map() };
  copies.set(url, copy);
  return copy;
}

const hasKid = (jwks: JSONWebKeySet, kid: string | undefined) => jwks.keys.some((k) => k.kid === kid);

export interface Expected {
  jwksUrl: string;
  issuer: string;
  clientId: string;
  now: Date;
}

/** Verifies an id_token's RS256 signature and its iss, aud, azp, exp and iat; the payload, or a refusal saying which rule failed. */
export async function verifyIdToken(token: string, expected: Expected): Promise<JWTPayload> {
  let header;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    throw new LaunchRefused(400, 'The id_token is not a signed JWT.', 'The platform must post an id_token (a JWS) to the launch URL.');
  }
  if (header.alg !== 'RS256')
    throw new LaunchRefused(401, `The id_token is signed with ${String(header.alg)}; LTI 1.3 requires RS256.`, 'Check the platform’s signing configuration.');
  let copy = await copyOf(expected.jwksUrl);
  if (!hasKid(copy.jwks, header.kid)) {
    const kid = String(header.kid);
    const tried = copy.triedKids.get(kid);
    if (tried === undefined || monotonic() - tried > UNKNOWN_KID_RETRY_MS) {
      if (copy.triedKids.size > 100) copy.triedKids.clear();
      copy.triedKids.set(kid, monotonic());
      copy = await copyOf(expected.jwksUrl, true);
    }
    if (!hasKid(copy.jwks, header.kid))
      throw new LaunchRefused(
        401,
        `The id_token is signed with a key (kid ${JSON.stringify(header.kid ?? null)}) that the platform does not publish at ${expected.jwksUrl}.`,
        'Check that the JWKS URL registered for this platform is the one its launches are signed for.',
      );
  }
  try {
    const { payload } = await jwtVerify(token, createLocalJWKSet(copy.jwks), {
      algorithms: ['RS256'],
      issuer: expected.issuer,
      audience: expected.clientId,
      currentDate: expected.now,
      clockTolerance: 60,
      maxTokenAge: '10m',
      requiredClaims: ['iat', 'exp', 'nonce'],
    });
    if (typeof payload.iat === 'number' && payload.iat * 1000 > expected.now.getTime() + 60_000)
      throw new LaunchRefused(401, 'The id_token was issued in the future (iat).', 'Check the platform’s clock.');
    const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    if ((audiences.length > 1 || payload.azp !== undefined) && payload.azp !== expected.clientId)
      throw new LaunchRefused(
        401,
        `The id_token's azp (${JSON.stringify(payload.azp ?? null)}) is not this tool's client id.`,
        'Check the client id registered for this platform.',
      );
    return payload;
  } catch (err) {
    if (err instanceof LaunchRefused) throw err;
    throw refusalOf(err, expected);
  }
}

function refusalOf(err: unknown, expected: Expected): LaunchRefused {
  if (err instanceof errors.JWTExpired)
    return new LaunchRefused(401, 'The id_token has expired (exp).', 'Launch again from the platform; if it keeps happening, check the platform’s clock.');
  if (err instanceof errors.JWSSignatureVerificationFailed)
    return new LaunchRefused(
      401,
      'The id_token’s signature does not verify with the platform’s published key.',
      'The launch was altered or signed with another key: launch again from the platform.',
    );
  if (err instanceof errors.JWTClaimValidationFailed) {
    const advice: Record<string, string> = {
      iss: `The launch must come from the registered issuer ${expected.issuer}.`,
      aud: `The token must be addressed to this tool's client id ${expected.clientId}: check the client id registered with npm run lti:register.`,
      iat: 'The token is too old or from the future: check the platform’s clock.',
      nbf: 'The token is not valid yet: check the platform’s clock.',
      nonce: 'The platform must send the nonce it received.',
    };
    return new LaunchRefused(
      401,
      `The id_token's ${err.claim} claim failed: ${err.reason === 'missing' ? 'missing' : err.message}.`,
      advice[err.claim] ?? 'Check the platform’s launch.',
    );
  }
  return new LaunchRefused(400, `The id_token could not be verified (${(err as Error).message}).`, 'Launch again from the platform.');
}
