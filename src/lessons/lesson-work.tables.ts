import type { Generated } from 'kysely';

export interface ComponentCompletionTable {
  user_id: number;
  unit_id: number;
  component_id: number;
  completed_at: Date;
}

export interface AttachmentTable {
  id: Generated<number>;
  owner_user_id: number;
  original_name: string;
  content_type: string;
  byte_size: number;
  sha256: string;
  content: Buffer;
  created_at: Generated<Date>;
}

export interface StudyGuideTable {
  id: Generated<number>;
  user_id: number;
  unit_id: number;
  created_at: Date;
  deleted_at: Date | null;
}

export interface StudyGuideVersionTable {
  id: Generated<number>;
  study_guide_id: number;
  version_no: number;
  body_md: string;
  attachment_id: number | null;
  created_at: Date;
}

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

export interface LessonWorkTables {
  component_completion: ComponentCompletionTable;
  attachment: AttachmentTable;
  study_guide: StudyGuideTable;
  study_guide_version: StudyGuideVersionTable;
  team: TeamTable;
  team_membership: TeamMembershipTable;
  team_artifact_version: TeamArtifactVersionTable;
}
