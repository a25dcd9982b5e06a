import type { Generated } from 'kysely';

/** Team Practice teams, their members and the team artifact's versions (migrations 0002, 0097). Owned by src/teams/. */
export interface TeamTable {
  id: Generated<number>;
  unit_id: number;
  name: string;
  created_by: number;
  created_at: Date;
  /** Kept by triggers on team_membership (migration 0097): active members, and the latest join among them. */
  active_members: Generated<number>;
  last_joined_at: Generated<Date | null>;
}

export interface TeamMembershipTable {
  id: Generated<number>;
  team_id: number;
  user_id: number;
  unit_id: number;
  joined_at: Date;
  left_at: Date | null;
}

export interface TeamArtifactVersionTable {
  id: Generated<number>;
  team_id: number;
  version_no: number;
  body_md: Generated<string>;
  attachment_id: number | null;
  uploaded_by: number;
  created_at: Date;
}

export interface TeamTables {
  team: TeamTable;
  team_membership: TeamMembershipTable;
  team_artifact_version: TeamArtifactVersionTable;
}
