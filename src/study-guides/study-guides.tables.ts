import type { Generated } from 'kysely';

/** A student's study guide per lesson and its versions (migration 0002). Owned by src/study-guides/. */
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

export interface StudyGuideTables {
  study_guide: StudyGuideTable;
  study_guide_version: StudyGuideVersionTable;
}
