import crypto from 'node:crypto';
import { importJWK, SignJWT } from 'jose';
import { z } from 'zod';
import { hashToken } from '../accounts/passwords';
import { courseCache } from '../course/course-cache';
import type { Db } from '../db/database';
import { DEEP_LINKING_RESPONSE, DL, LTI } from './claims';
import { unitCode } from './landing';
import { launchRepository as repo } from './launch.repository';
import { platformOrigins, toolUrls } from './platforms';
import { LaunchRefused } from './refusals';
import { currentToolKey } from './tool-keys';

/**
 * LTI Deep Linking 2.0: a course team adding Cohort Companion in Studio picks a lesson or a
 * portfolio from a list, and the tool answers the platform with a signed LtiDeepLinkingResponse
 * whose resource links carry the custom parameter the launch lands by (`unit=LeadEd502x-03`,
 * `portfolio=LeadEd502x`); a portfolio link also asks for a line item of maximum 1 (S = 1, U = 0).
 * The request is kept server-side (one hour, single use) under the token the choice page posts.
 */
export interface Choice {
  value: string;
  label: string;
  group: string;
}

async function choices(db: Db, tokenValue: string, now: Date) {
  const request = await repo.deepLinkRequest(db, hashToken(tokenValue), now);
  if (!request) throw new LaunchRefused(410, 'This choice has expired or was already sent.', 'Add the Cohort Companion component again in Studio.');
  const platform = (await repo.platformById(db, request.platform_id))!;
  const snapshot = await courseCache.current(db, platform.offering_id);
  const list: Choice[] = [];
  for (const r of snapshot.requirements) list.push({ value: `portfolio:${r.edx_code}`, label: `Portfolio: ${r.title}`, group: r.edx_code });
  for (const u of snapshot.units)
    if (u.kind === 'lesson') list.push({ value: `unit:${unitCode(u)}`, label: `Lesson ${u.lesson_number}: ${u.title}`, group: u.edx_code });
  return {
    list,
    acceptMultiple: request.accept_multiple,
    frameAncestors: platformOrigins(platform),
    course: `${snapshot.offering.code} ${snapshot.offering.title}`,
  };
}

export const deepLinkChoiceSchema = z.object({
  token: z.string().trim().min(1).max(200),
  choice: z.union([z.string(), z.array(z.string())]).optional(),
});

/** The signed response for the chosen items, and where the browser posts it. */
async function respond(db: Db, input: z.infer<typeof deepLinkChoiceSchema>, env: { baseUrl: string; now: Date }) {
  const available = await choices(db, input.token, env.now);
  const picked = (Array.isArray(input.choice) ? input.choice : input.choice ? [input.choice] : []).filter((v, i, all) => all.indexOf(v) === i);
  const chosen = picked.map((v) => available.list.find((c) => c.value === v));
  if (picked.length === 0 || chosen.some((c) => !c)) return { kind: 'invalid' as const, message: 'Choose a lesson or a portfolio from the list.', picked };
  if (picked.length > 1 && !available.acceptMultiple)
    return { kind: 'invalid' as const, message: 'This platform takes one link at a time: choose one.', picked };
  const request = await repo.takeDeepLinkRequest(db, hashToken(input.token), env.now);
  if (!request) throw new LaunchRefused(410, 'This choice was already sent.', 'Add the Cohort Companion component again in Studio.');
  const platform = (await repo.platformById(db, request.platform_id))!;
  const launchUrl = toolUrls(env.baseUrl).launch;
  const contentItems = chosen.map((c) => {
    const [kind, code] = c!.value.split(':');
    return {
      type: 'ltiResourceLink',
      title: `Cohort Companion — ${c!.label}`,
      url: launchUrl,
      custom: { [kind]: code },
      ...(kind === 'portfolio' ? { lineItem: { scoreMaximum: 1, label: c!.label, resourceId: `portfolio-${code}` } } : {}),
    };
  });
  const key = await currentToolKey(db, env.now);
  const iat = Math.floor(env.now.getTime() / 1000);
  const jwt = await new SignJWT({
    nonce: crypto.randomBytes(16).toString('base64url'),
    azp: platform.client_id,
    [`${LTI}message_type`]: DEEP_LINKING_RESPONSE,
    [`${LTI}version`]: '1.3.0',
    [`${LTI}deployment_id`]: request.deployment_id,
    [`${DL}content_items`]: contentItems,
    ...(request.data !== null ? { [`${DL}data`]: request.data } : {}),
  })
    .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' })
    .setIssuer(platform.client_id)
    .setAudience(platform.issuer)
    .setIssuedAt(iat)
    .setExpirationTime(iat + 600)
    .sign(await importJWK(key.privateJwk, 'RS256'));
  return {
    kind: 'signed' as const,
    returnUrl: request.return_url,
    jwt,
    frameAncestors: platformOrigins(platform),
    labels: chosen.map((c) => c!.label),
  };
}

export const deepLinkingService = Object.freeze({ choices, respond });
