import crypto from 'node:crypto';
import { z } from 'zod';
import { accountsService } from '../accounts/accounts.service';
import { normalizeEmail } from '../accounts/identity';
import { hashToken, newToken } from '../accounts/passwords';
import { usersRepository } from '../accounts/users.repository';
import { courseCache, type CourseSnapshot } from '../course/course-cache';
import type { Db } from '../db/database';
import { inTransaction } from '../db/transaction';
import { isLearner } from '../roles';
import { launchClaims, LTI, DL, platformRole, type DeepLinkingClaims, type ResourceLinkClaims } from './claims';
import { agsService } from './ags/ags.service';
import { landingOf, type Landing } from './landing';
import { launchRepository as repo } from './launch.repository';
import { verifyIdToken } from './platform-keys';
import { toolUrls } from './platforms';
import { LaunchRefused } from './refusals';

/**
 * The LTI 1.3 launch (issue 18): OIDC third-party-initiated login, then the platform's form post
 * of a signed id_token. Everything the two steps share is kept server-side, keyed by the `state`
 * value (never a cookie set inside the platform's iframe). Every rule of LTI 1.3 Core and the
 * security framework is checked, and each refusal says what failed and what the course team should
 * check. A valid launch of a linked learner yields a single-use hand-off code (src/lti/handoff.ts).
 */
const STATE_TTL_MS = 10 * 60 * 1000;
const PENDING_TTL_MS = 30 * 60 * 1000;
const DEEP_LINK_TTL_MS = 60 * 60 * 1000;

const param = (max: number) => z.string().trim().max(max).optional();
export const loginSchema = z.object({
  iss: param(2000),
  login_hint: param(2000),
  target_link_uri: param(2000),
  lti_message_hint: param(4000),
  client_id: param(255),
  lti_deployment_id: param(255),
});

export type Platform = NonNullable<Awaited<ReturnType<typeof repo.platformById>>>;

const ADVICE_REGISTER =
  'Register the platform with npm run lti:register (see the README, “LTI 1.3: launching from edX”), with the issuer, client id and deployment id shown in Studio.';

/** Step 1: the platform sends the browser here; we answer with the authorization request to the platform. */
async function startLogin(db: Db, raw: unknown, env: { baseUrl: string; now: Date }): Promise<string> {
  const parsed = loginSchema.safeParse(raw ?? {});
  if (!parsed.success)
    throw new LaunchRefused(
      400,
      `The login request’s ${String(parsed.error.issues[0].path[0])} is malformed (repeated or too long).`,
      'The platform must send each login parameter once.',
    );
  const input = parsed.data;
  for (const name of ['iss', 'login_hint', 'target_link_uri'] as const)
    if (!input[name])
      throw new LaunchRefused(400, `The login request has no ${name}.`, 'The platform must send iss, login_hint and target_link_uri to the login URL.');
  const candidates = (await repo.platformsByIssuer(db, input.iss!)).filter((p) => !input.client_id || p.client_id === input.client_id);
  if (candidates.length === 0)
    throw new LaunchRefused(
      400,
      `No platform with issuer ${input.iss}${input.client_id ? ` and client id ${input.client_id}` : ''} is registered with this tool.`,
      ADVICE_REGISTER,
    );
  if (candidates.length > 1)
    throw new LaunchRefused(
      400,
      `Several client ids are registered for issuer ${input.iss}, and the login request does not say which.`,
      'The platform must send client_id with the login request.',
    );
  const platform = candidates[0];
  if (input.lti_deployment_id && !(await repo.hasDeployment(db, platform.id, input.lti_deployment_id)))
    throw new LaunchRefused(400, `Deployment ${input.lti_deployment_id} is not registered for ${platform.issuer}.`, ADVICE_REGISTER);
  const tool = new URL(env.baseUrl).origin;
  let target: URL;
  try {
    target = new URL(input.target_link_uri!);
  } catch {
    throw new LaunchRefused(400, 'The login request’s target_link_uri is not a URL.', `It should be ${toolUrls(env.baseUrl).launch}.`);
  }
  if (target.origin !== tool)
    throw new LaunchRefused(
      400,
      `The login request’s target_link_uri (${target.origin}) is not this tool (${tool}).`,
      `Set the launch URL in the platform to ${toolUrls(env.baseUrl).launch}.`,
    );
  const state = newToken();
  const nonce = crypto.randomBytes(24).toString('base64url');
  await repo.insertLoginState(db, {
    stateHash: state.hash,
    nonce,
    platformId: platform.id,
    deploymentId: input.lti_deployment_id ?? null,
    targetLinkUri: target.href,
    now: env.now,
    expiresAt: new Date(env.now.getTime() + STATE_TTL_MS),
  });
  const auth = new URL(platform.auth_url);
  const params: Record<string, string> = {
    scope: 'openid',
    response_type: 'id_token',
    response_mode: 'form_post',
    prompt: 'none',
    client_id: platform.client_id,
    redirect_uri: toolUrls(env.baseUrl).launch,
    login_hint: input.login_hint!,
    state: state.token,
    nonce,
  };
  if (input.lti_message_hint) params.lti_message_hint = input.lti_message_hint;
  for (const [k, v] of Object.entries(params)) auth.searchParams.set(k, v);
  return auth.href;
}

export const launchSchema = z.object({
  id_token: z
    .string()
    .max(64 * 1024)
    .optional(),
  state: z.string().max(200).optional(),
});

/** What a valid launch comes to: a learner signed in, one to link, one not on the roster, course staff, or a deep linking choice. */
export type LaunchOutcome =
  | { kind: 'signed-in'; platform: Platform; userId: number; landing: Landing }
  | { kind: 'confirm'; platform: Platform; token: string; email: string | null; course: Course }
  | { kind: 'not-on-roster'; platform: Platform; token: string; email: string; course: Course }
  | { kind: 'staff'; platform: Platform; course: Course }
  | { kind: 'deep-linking'; platform: Platform; token: string; acceptMultiple: boolean };

export interface Course {
  code: string;
  title: string;
  instructor: string;
  instructorEmail: string;
}

/** Step 2: the platform's form post. Refused with a LaunchRefused for every rule broken. */
async function launch(db: Db, raw: unknown, env: { baseUrl: string; now: Date }): Promise<LaunchOutcome> {
  const posted = launchSchema.safeParse(raw ?? {});
  if (!posted.success)
    throw new LaunchRefused(
      400,
      'The launch form is malformed (a repeated or oversized id_token or state).',
      'The platform must post one id_token and one state.',
    );
  const form = posted.data;
  if (!form.state)
    throw new LaunchRefused(400, 'The launch arrived without its state.', 'The platform must post state back with the id_token (response_mode form_post).');
  if (!form.id_token) throw new LaunchRefused(400, 'The launch arrived without an id_token.', 'The platform must post the signed id_token to the launch URL.');
  const stateHash = hashToken(form.state);
  // Used once, whatever follows: taken (and committed) before anything else is checked.
  const login = await repo.takeLoginState(db, stateHash, env.now);
  if (!login) {
    const seen = await repo.loginState(db, stateHash);
    if (!seen)
      throw new LaunchRefused(
        400,
        'This launch’s state was not issued by this tool’s login.',
        'Launches must start at the login URL (OIDC login initiation), and the platform must post the same state back.',
      );
    if (seen.used_at)
      throw new LaunchRefused(400, 'This launch was already used (a replayed launch).', 'Launch again from the platform: every launch is good for one use.');
    throw new LaunchRefused(400, 'This launch took more than 10 minutes between login and launch.', 'Launch again from the platform.');
  }
  const platform = (await repo.platformById(db, login.platform_id))!;
  const payload = await verifyIdToken(form.id_token, { jwksUrl: platform.jwks_url, issuer: platform.issuer, clientId: platform.client_id, now: env.now });
  if (payload.nonce !== login.nonce)
    throw new LaunchRefused(
      400,
      'The id_token’s nonce is not the one this tool sent with the login.',
      'The platform must copy the nonce of the authorization request into the id_token.',
    );
  const parsed = launchClaims(payload as Record<string, unknown>);
  if ('problem' in parsed) throw new LaunchRefused(400, `The launch message is not valid: ${parsed.problem}.`, 'Check the platform’s LTI 1.3 launch.');
  const claims = parsed.claims;
  const deploymentId = claims[`${LTI}deployment_id`];
  if (login.deployment_id && login.deployment_id !== deploymentId)
    throw new LaunchRefused(400, `The id_token’s deployment (${deploymentId}) is not the one the login named (${login.deployment_id}).`, ADVICE_REGISTER);
  if (!(await repo.hasDeployment(db, platform.id, deploymentId)))
    throw new LaunchRefused(403, `Deployment ${deploymentId} is not registered for ${platform.issuer}.`, ADVICE_REGISTER);
  const targetLinkUri = claims[`${LTI}target_link_uri`];
  if (targetLinkUri && new URL(targetLinkUri, env.baseUrl).origin !== new URL(env.baseUrl).origin)
    throw new LaunchRefused(
      400,
      `The id_token’s target_link_uri (${targetLinkUri}) is not this tool.`,
      `Set the launch URL in the platform to ${toolUrls(env.baseUrl).launch}.`,
    );
  return inTransaction(db, (trx) =>
    parsed.kind === 'deep-linking' ? deepLinking(trx, platform, parsed.claims, env.now) : admit(trx, platform, parsed.claims, env.now),
  );
}

function courseOf(o: CourseSnapshot['offering']): Course {
  return { code: o.code, title: o.title, instructor: o.instructor_name, instructorEmail: o.instructor_email };
}

async function deepLinking(db: Db, platform: Platform, claims: DeepLinkingClaims, now: Date): Promise<LaunchOutcome> {
  if (platformRole(claims[`${LTI}roles`]) !== 'staff')
    throw new LaunchRefused(
      403,
      'Only course staff can choose what a Cohort Companion link opens.',
      'Sign in to the platform as course staff (Studio) to add the link.',
    );
  const settings = claims[`${DL}deep_linking_settings`];
  if (settings.accept_types.length && !settings.accept_types.includes('ltiResourceLink'))
    throw new LaunchRefused(
      400,
      'The platform does not accept resource links from this deep linking request.',
      'Cohort Companion returns LTI resource links (ltiResourceLink).',
    );
  const token = newToken();
  await repo.insertDeepLinkRequest(db, {
    tokenHash: token.hash,
    platformId: platform.id,
    deploymentId: claims[`${LTI}deployment_id`],
    returnUrl: settings.deep_link_return_url,
    data: settings.data ?? null,
    acceptMultiple: settings.accept_multiple ?? false,
    now,
    expiresAt: new Date(now.getTime() + DEEP_LINK_TTL_MS),
  });
  return { kind: 'deep-linking', platform, token: token.token, acceptMultiple: settings.accept_multiple ?? false };
}

/** Who is launching: a linked learner, one matched by the email claim, or one who must confirm with a sign-in. No account is created. */
async function admit(db: Db, platform: Platform, claims: ResourceLinkClaims, now: Date): Promise<LaunchOutcome> {
  const snapshot = await courseCache.current(db, platform.offering_id);
  const course = courseOf(snapshot.offering);
  if (platformRole(claims[`${LTI}roles`]) === 'staff') return { kind: 'staff', platform, course };
  const landing = landingOf(snapshot, claims);
  const sub = claims.sub;
  const link = await repo.linkOf(db, platform.id, sub);
  if (link) {
    const user = await usersRepository.findById(db, link.user_id);
    if (user && rosterLearner(user, platform)) {
      await repo.touchLink(db, platform.id, sub, now);
      return signedIn(db, platform, user.id, landing, now);
    }
    return { kind: 'not-on-roster', platform, ...(await pending(db, platform, sub, landing, now)), email: claims.email ?? user?.email ?? '', course };
  }
  const email = claims.email ? normalizeEmail(claims.email) : null;
  if (email) {
    const user = await usersRepository.findByEmail(db, email);
    if (user && rosterLearner(user, platform)) {
      if (await repo.insertLink(db, { platformId: platform.id, sub, userId: user.id, by: 'email', now })) return signedIn(db, platform, user.id, landing, now);
      // Two tabs launching at once: the other one linked this sub first (to this same account).
      if ((await repo.linkOf(db, platform.id, sub))?.user_id === user.id) return signedIn(db, platform, user.id, landing, now);
      throw new LaunchRefused(
        409,
        `The Cohort Companion account for ${email} is already linked to another account on ${platform.issuer}.`,
        'Launch from the edX account you linked before, or ask the instructor to check the link.',
      );
    }
    return { kind: 'not-on-roster', platform, ...(await pending(db, platform, sub, landing, now)), email, course };
  }
  return { kind: 'confirm', platform, ...(await pending(db, platform, sub, landing, now)), email: null, course };
}

/** A learner known: the line item their launch named (AGS) is kept as the one place their portfolio's scores go. */
async function signedIn(db: Db, platform: Platform, userId: number, landing: Landing, now: Date): Promise<LaunchOutcome> {
  if (landing.ags) await agsService.recordGradeTarget(db, { userId, platformId: platform.id, ...landing.ags, now });
  return { kind: 'signed-in', platform, userId, landing };
}

type UserRow = NonNullable<Awaited<ReturnType<typeof usersRepository.findById>>>;

/** On the roster of the platform's offering as a learner (a campus student or a community learner), and active. */
function rosterLearner(user: UserRow, platform: Platform): boolean {
  return !user.deactivated_at && isLearner(user.role) && user.offering_id === platform.offering_id;
}

async function pending(db: Db, platform: Platform, sub: string, landing: Landing, now: Date) {
  const token = newToken();
  await repo.insertPendingLink(db, { tokenHash: token.hash, platformId: platform.id, sub, landing, now, expiresAt: new Date(now.getTime() + PENDING_TTL_MS) });
  return { token: token.token };
}

/**
 * The learner confirms with their Cohort Companion sign-in once: the platform's sub is linked to
 * the account the email and password prove, if it is a learner on this offering's roster and not
 * already linked to another account of this platform.
 */
async function confirmLink(db: Db, input: { token: string; email: string; password: string }, now: Date) {
  const tokenHash = hashToken(input.token);
  const waiting = await repo.pendingLink(db, tokenHash, now);
  if (!waiting) throw new LaunchRefused(410, 'This confirmation has expired or was already used.', 'Launch Cohort Companion again from edX.');
  const platform = (await repo.platformById(db, waiting.platform_id))!;
  const user = await accountsService.authenticate(db, input.email, input.password, now);
  if (!user) return { kind: 'wrong-password' as const, platform };
  const row = (await usersRepository.findById(db, user.id))!;
  if (!rosterLearner(row, platform))
    throw new LaunchRefused(
      403,
      `${row.email} is not a learner on the roster of this course.`,
      'Sign in with the account you use as a student of this course, or ask the instructor to add you.',
    );
  return inTransaction(db, async (trx) => {
    const taken = await repo.takePendingLink(trx, tokenHash, now);
    if (!taken) throw new LaunchRefused(410, 'This confirmation was already used.', 'Launch Cohort Companion again from edX.');
    const linked = await repo.linkOf(trx, platform.id, taken.sub);
    if (linked && linked.user_id !== user.id)
      throw new LaunchRefused(
        409,
        'This edX account is already linked to another Cohort Companion account.',
        `Ask the instructor to check the link for ${platform.issuer}.`,
      );
    if (!linked && !(await repo.insertLink(trx, { platformId: platform.id, sub: taken.sub, userId: user.id, by: 'sign-in', now })))
      throw new LaunchRefused(
        409,
        `Your Cohort Companion account is already linked to another account on ${platform.issuer}.`,
        'Launch from the edX account you linked before, or ask the instructor to unlink it.',
      );
    const landing = taken.landing as Landing;
    await signedIn(trx, platform, user.id, landing, now);
    return { kind: 'linked' as const, platform, userId: user.id, landing };
  });
}

/** Forgets login states, pending links, hand-off codes and deep linking requests a day after they expired. */
function forgetExpired(db: Db, now: Date): Promise<void> {
  return repo.pruneExpired(db, now);
}

export const launchService = Object.freeze({ startLogin, launch, confirmLink, forgetExpired });
