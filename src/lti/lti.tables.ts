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

/** One OIDC login in progress (migration 0270): the state we sent (hashed) and the nonce the id_token must carry. */
export interface LtiLoginStateTable {
  state_hash: string;
  nonce: string;
  platform_id: number;
  deployment_id: string | null;
  target_link_uri: string;
  created_at: Date;
  expires_at: Date;
  used_at: Date | null;
}

/** A platform's user (`sub`) linked to one of our accounts. */
export interface LtiUserLinkTable {
  platform_id: number;
  sub: string;
  user_id: number;
  linked_by: 'email' | 'sign-in';
  linked_at: Date;
  last_launch_at: Date;
}

/** A valid launch whose learner confirms with their Cohort Companion sign-in once. */
export interface LtiPendingLinkTable {
  token_hash: string;
  platform_id: number;
  sub: string;
  landing: unknown;
  created_at: Date;
  expires_at: Date;
  used_at: Date | null;
}

/** A single-use code that signs the launcher in (in the frame or a new window). */
export interface LtiHandoffTable {
  code_hash: string;
  user_id: number;
  platform_id: number;
  target: string;
  /** Shown on the page the code leads to (e.g. "this link names a lesson that is not in the course"). */
  notice: string | null;
  created_at: Date;
  expires_at: Date;
  used_at: Date | null;
}

/** A Deep Linking request waiting for the course team's choice. */
export interface LtiDeepLinkRequestTable {
  token_hash: string;
  platform_id: number;
  deployment_id: string;
  return_url: string;
  data: string | null;
  accept_multiple: boolean;
  created_at: Date;
  expires_at: Date;
  used_at: Date | null;
}

/** The AGS line item a learner's launch named for a portfolio: the only place its scores go. */
export interface LtiGradeTargetTable {
  user_id: number;
  requirement_id: number;
  platform_id: number;
  lineitem: string;
  can_post_scores: boolean;
  updated_at: Date;
}

/** A score to send to a line item, once per grade change, with what the platform answered. */
export interface LtiScorePostTable {
  id: Generated<number>;
  grade_event_id: number;
  user_id: number;
  requirement_id: number;
  platform_id: number;
  lineitem: string;
  score_given: string | number;
  graded_at: Date;
  status: Generated<'pending' | 'sent' | 'failed'>;
  attempts: Generated<number>;
  next_attempt_at: Date;
  claimed_until: Date | null;
  last_status: number | null;
  last_answer: string | null;
  sent_at: Date | null;
  created_at: Date;
}

export interface LtiTables {
  lti_tool_key: LtiToolKeyTable;
  lti_platform: LtiPlatformTable;
  lti_deployment: LtiDeploymentTable;
  lti_login_state: LtiLoginStateTable;
  lti_user_link: LtiUserLinkTable;
  lti_pending_link: LtiPendingLinkTable;
  lti_handoff: LtiHandoffTable;
  lti_deep_link_request: LtiDeepLinkRequestTable;
  lti_grade_target: LtiGradeTargetTable;
  lti_score_post: LtiScorePostTable;
}
