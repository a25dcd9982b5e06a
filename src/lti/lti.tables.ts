import type { Generated } from 'kysely';

/** The tool's RSA signing keys (migration 0260): JWKs, the private one never leaves the server. */
export interface LtiToolKeyTable {
  kid: string;
  public_jwk: Record<string, unknown>;
  private_jwk: Record<string, unknown>;
  created_at: Date;
  retired_at: Date | null;
}

/** A platform registered with the tool: one issuer and client id (an edX instance, a campus Canvas). */
export interface LtiPlatformTable {
  id: Generated<number>;
  issuer: string;
  client_id: string;
  auth_url: string;
  token_url: string;
  jwks_url: string;
  offering_id: number;
  created_at: Date;
  updated_at: Date;
}

export interface LtiDeploymentTable {
  platform_id: number;
  deployment_id: string;
  created_at: Date;
}

export interface LtiTables {
  lti_tool_key: LtiToolKeyTable;
  lti_platform: LtiPlatformTable;
  lti_deployment: LtiDeploymentTable;
}
