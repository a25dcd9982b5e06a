import { z } from 'zod';
import { courseRepository } from '../course/course.repository';
import type { Db } from '../db/database';
import { Invalid } from '../errors';

/**
 * Platforms registered with the tool (issue 18): an LMS that launches Cohort Companion, known by
 * its issuer and the client id it gave the tool, with its OIDC authorization, token and JWKS URLs,
 * the deployments it may launch from, and the offering its launches belong to. Registering is
 * idempotent: the same issuer and client id update the URLs and add a deployment not yet known.
 * Several platforms (edX.org, a campus Canvas) can be registered at once.
 */
const url = (what: string) =>
  z
    .string({ error: `Give the platform's ${what}.` })
    .trim()
    .refine((v) => {
      try {
        const u = new URL(v);
        return u.protocol === 'https:' || (u.protocol === 'http:' && ['localhost', '127.0.0.1'].includes(u.hostname));
      } catch {
        return false;
      }
    }, `The ${what} must be an https:// URL (http:// only for localhost).`);

const id = (what: string) =>
  z
    .string({ error: `Give the ${what}.` })
    .trim()
    .min(1, `Give the ${what}.`)
    .max(255, `The ${what} is too long.`);

export const platformSchema = z.object({
  issuer: url('issuer'),
  clientId: id('client id'),
  deploymentId: id('deployment id'),
  authUrl: url('OIDC authorization URL'),
  tokenUrl: url('access token URL'),
  jwksUrl: url('JWKS URL'),
  /** The offering's slug, e.g. educ-551-639-winter-2020. */
  offering: id('offering (its slug, e.g. educ-551-639-winter-2020)'),
});

export type PlatformInput = z.infer<typeof platformSchema>;

/** The instructor page's form: the same fields, for the instructor's own offering. */
export const platformFormSchema = platformSchema.omit({ offering: true });

/** The three URLs a course team pastes into the platform. */
export function toolUrls(baseUrl: string) {
  return { login: `${baseUrl}/lti/login`, launch: `${baseUrl}/lti/launch`, jwks: `${baseUrl}/lti/jwks` };
}

/** The origins a platform's pages frame the tool from (its issuer and its authorization endpoint). */
export function platformOrigins(p: { issuer: string; auth_url: string }): string[] {
  return [...new Set([p.issuer, p.auth_url].map((u) => new URL(u).origin))];
}

/** Registers (or updates) a platform and its deployment; says what changed. */
export async function registerPlatform(db: Db, input: PlatformInput, now: Date): Promise<{ platformId: number; created: boolean; deploymentAdded: boolean }> {
  const offering = await courseRepository.offeringBySlug(db, input.offering);
  if (!offering) throw new Invalid(`There is no offering "${input.offering}".`, { offering: `There is no offering "${input.offering}".` });
  const existing = await db
    .selectFrom('lti_platform')
    .select('id')
    .where('issuer', '=', input.issuer)
    .where('client_id', '=', input.clientId)
    .executeTakeFirst();
  const platform = await db
    .insertInto('lti_platform')
    .values({
      issuer: input.issuer,
      client_id: input.clientId,
      auth_url: input.authUrl,
      token_url: input.tokenUrl,
      jwks_url: input.jwksUrl,
      offering_id: offering.id,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) =>
      oc.columns(['issuer', 'client_id']).doUpdateSet((eb) => ({
        auth_url: eb.ref('excluded.auth_url'),
        token_url: eb.ref('excluded.token_url'),
        jwks_url: eb.ref('excluded.jwks_url'),
        offering_id: eb.ref('excluded.offering_id'),
        updated_at: eb.ref('excluded.updated_at'),
      })),
    )
    .returning('id')
    .executeTakeFirstOrThrow();
  const added = await db
    .insertInto('lti_deployment')
    .values({ platform_id: platform.id, deployment_id: input.deploymentId, created_at: now })
    .onConflict((oc) => oc.columns(['platform_id', 'deployment_id']).doNothing())
    .returning('deployment_id')
    .executeTakeFirst();
  return { platformId: platform.id, created: !existing, deploymentAdded: added !== undefined };
}

/** Every registered platform with its deployments and offering, for the instructor's page. */
export async function platformsOf(db: Db, offeringId: number) {
  const platforms = await db.selectFrom('lti_platform').selectAll().where('offering_id', '=', offeringId).orderBy('issuer').orderBy('client_id').execute();
  const deployments = platforms.length
    ? await db
        .selectFrom('lti_deployment')
        .selectAll()
        .where(
          'platform_id',
          'in',
          platforms.map((p) => p.id),
        )
        .orderBy('deployment_id')
        .execute()
    : [];
  const ids = platforms.map((p) => p.id);
  const [links, scores] = ids.length
    ? await Promise.all([
        db
          .selectFrom('lti_user_link')
          .select(['platform_id', (eb) => eb.fn.countAll<string>().as('n')])
          .where('platform_id', 'in', ids)
          .groupBy('platform_id')
          .execute(),
        db
          .selectFrom('lti_score_post')
          .select(['platform_id', 'status', (eb) => eb.fn.countAll<string>().as('n')])
          .where('platform_id', 'in', ids)
          .groupBy(['platform_id', 'status'])
          .execute(),
      ])
    : [[], []];
  const scoresOf = (id: number, status: string) => Number(scores.find((s) => s.platform_id === id && s.status === status)?.n ?? 0);
  return platforms.map((p) => ({
    ...p,
    deployments: deployments.filter((d) => d.platform_id === p.id).map((d) => d.deployment_id),
    linkedLearners: Number(links.find((l) => l.platform_id === p.id)?.n ?? 0),
    scores: { sent: scoresOf(p.id, 'sent'), pending: scoresOf(p.id, 'pending'), failed: scoresOf(p.id, 'failed') },
  }));
}
