import type { Kysely } from 'kysely';
import { runStatements } from '../src/db/ddl';

/**
 * Cohort Companion as an LTI 1.3 tool (issue 18), owned by src/lti/: the tool's own RSA signing
 * keys (made once, kept; a new one can be added and the old one kept until `retired_at`), the
 * platforms registered with it (edX.org, a campus Canvas: issuer + client id, their OIDC, token and
 * JWKS URLs, and the offering their launches belong to) and each platform's deployments.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await runStatements(
    db,
    `
create table lti_tool_key (
  kid text primary key,
  public_jwk jsonb not null,
  private_jwk jsonb not null,
  created_at timestamptz not null,
  retired_at timestamptz
);

create table lti_platform (
  id int generated always as identity primary key,
  issuer text not null,
  client_id text not null,
  auth_url text not null,
  token_url text not null,
  jwks_url text not null,
  offering_id int not null references course_offering (id),
  created_at timestamptz not null,
  updated_at timestamptz not null,
  unique (issuer, client_id)
);

create table lti_deployment (
  platform_id int not null references lti_platform (id),
  deployment_id text not null,
  created_at timestamptz not null,
  primary key (platform_id, deployment_id)
);
`,
  );
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only.');
}
