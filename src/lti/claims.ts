import { z } from 'zod';

/**
 * The claims of an LTI 1.3 id_token this tool reads (LTI 1.3 Core §5, Deep Linking 2.0 §4.4,
 * AGS 2.0 §3.1), named as the specifications name them. `launchClaims` parses a payload whose
 * signature, issuer, audience and times were already verified; what fails here is a launch message
 * the platform built wrong, and the message says which claim.
 */
export const LTI = 'https://purl.imsglobal.org/spec/lti/claim/';
export const DL = 'https://purl.imsglobal.org/spec/lti-dl/claim/';
export const AGS_CLAIM = 'https://purl.imsglobal.org/spec/lti-ags/claim/endpoint';
export const AGS_SCORE_SCOPE = 'https://purl.imsglobal.org/spec/lti-ags/scope/score';

export const RESOURCE_LINK_REQUEST = 'LtiResourceLinkRequest';
export const DEEP_LINKING_REQUEST = 'LtiDeepLinkingRequest';
export const DEEP_LINKING_RESPONSE = 'LtiDeepLinkingResponse';

const text = z.string().trim().min(1).max(1000);

const base = z.object({
  sub: text,
  nonce: text,
  [`${LTI}version`]: z.literal('1.3.0', { error: 'the version claim must be 1.3.0' }),
  [`${LTI}deployment_id`]: text,
  [`${LTI}target_link_uri`]: z.string().max(2000).optional(),
  [`${LTI}roles`]: z.array(z.string().max(500)).max(100).default([]),
  [`${LTI}context`]: z.object({ id: z.string().max(500), label: z.string().max(500).optional(), title: z.string().max(1000).optional() }).optional(),
  [`${LTI}custom`]: z.record(z.string(), z.unknown()).optional(),
  email: z.string().max(320).optional(),
  name: z.string().max(500).optional(),
  [AGS_CLAIM]: z.object({ scope: z.array(z.string().max(500)).max(20).default([]), lineitem: z.string().max(2000).optional() }).optional(),
});

const resourceLink = base.extend({
  [`${LTI}message_type`]: z.literal(RESOURCE_LINK_REQUEST),
  [`${LTI}resource_link`]: z.object({ id: text }, { error: 'a resource link launch must carry the resource_link claim with an id' }),
});

const deepLinking = base.extend({
  [`${LTI}message_type`]: z.literal(DEEP_LINKING_REQUEST),
  [`${DL}deep_linking_settings`]: z.object(
    {
      deep_link_return_url: z.string().max(2000),
      accept_types: z.array(z.string()).default([]),
      accept_multiple: z.boolean().optional(),
      data: z.string().max(4000).optional(),
    },
    { error: 'a deep linking launch must carry deep_linking_settings with a deep_link_return_url' },
  ),
});

export type ResourceLinkClaims = z.infer<typeof resourceLink>;
export type DeepLinkingClaims = z.infer<typeof deepLinking>;

export type LaunchClaims = { kind: 'resource-link'; claims: ResourceLinkClaims } | { kind: 'deep-linking'; claims: DeepLinkingClaims };

/** The verified payload as a launch of one of the two kinds this tool accepts, or why it is not one. */
export function launchClaims(payload: Record<string, unknown>): LaunchClaims | { problem: string } {
  const type = payload[`${LTI}message_type`];
  const schema = type === RESOURCE_LINK_REQUEST ? resourceLink : type === DEEP_LINKING_REQUEST ? deepLinking : null;
  if (!schema)
    return { problem: `the message_type claim is ${JSON.stringify(type ?? null)}; this tool accepts ${RESOURCE_LINK_REQUEST} and ${DEEP_LINKING_REQUEST}` };
  const parsed = schema.safeParse(payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const claim = issue.path.join('.') || 'the token';
    return { problem: `${claim}: ${issue.message}` };
  }
  return type === RESOURCE_LINK_REQUEST
    ? { kind: 'resource-link', claims: parsed.data as ResourceLinkClaims }
    : { kind: 'deep-linking', claims: parsed.data as DeepLinkingClaims };
}

const LEARNER = /#(Learner|Student)$|membership\/Learner|^Learner$|^Student$/;
const STAFF = /#(Instructor|Administrator|ContentDeveloper|Mentor|TeachingAssistant)$|membership\/Instructor|^Instructor$|^Administrator$/;

/** A platform's roles, read for what they mean here: a learner, course staff (maps to nothing), or neither. */
export function platformRole(roles: string[]): 'learner' | 'staff' | 'none' {
  if (roles.some((r) => STAFF.test(r))) return roles.some((r) => LEARNER.test(r)) ? 'learner' : 'staff';
  return roles.some((r) => LEARNER.test(r)) ? 'learner' : 'none';
}
