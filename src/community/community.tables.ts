import type { Generated } from 'kysely';

/** The instructor's invitation to the community (migration 0220): optionally limited in uses and time, revocable. */
export interface JoinLinkTable {
  id: Generated<number>;
  offering_id: number;
  code: string;
  label: Generated<string>;
  created_by: number;
  created_at: Date;
  expires_at: Date | null;
  max_uses: number | null;
  /** Accounts created through the link (counted when an address is confirmed). */
  uses: Generated<number>;
  revoked_at: Date | null;
}

/** What a person typed on /join/CODE, waiting for the one-time email confirmation (the token's hash only). */
export interface JoinRequestTable {
  id: Generated<string>;
  join_link_id: number;
  email: string;
  name: string;
  time_zone: string;
  country: string;
  token_hash: string;
  created_at: Date;
  expires_at: Date;
  confirmed_at: Date | null;
  user_id: number | null;
}

export interface CommunityTables {
  join_link: JoinLinkTable;
  join_request: JoinRequestTable;
}
