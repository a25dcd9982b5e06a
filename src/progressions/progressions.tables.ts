import type { Generated } from 'kysely';
import type { CellStatus, GroupKey } from './rubric.definition';

/** A version of the rubric ("draft 02/18"); a later revision is another row beside it. */
export interface ProgressionRubricTable {
  id: Generated<number>;
  key: string;
  label: string;
  title: string;
  source: string;
  source_note: Generated<string>;
  caution: Generated<string>;
  loaded_at: Generated<Date>;
}

export interface ProgressionStageTable {
  rubric_id: number;
  number: number;
  name: string;
}

export interface ProgressionGroupTable {
  id: Generated<number>;
  rubric_id: number;
  key: GroupKey;
  name: string;
  description: Generated<string>;
  position: number;
}

export interface ProgressionObjectiveTable {
  id: Generated<number>;
  rubric_id: number;
  group_id: number;
  number: number;
  title: string;
}

/** `body` is null exactly when `status` is 'empty'; an 'incomplete' cell keeps the fragment the draft has. */
export interface ProgressionDescriptorTable {
  objective_id: number;
  stage: number;
  body: string | null;
  status: CellStatus;
}

export interface PartnershipTable {
  id: Generated<number>;
  offering_id: number;
  name: string;
  ihe: string;
  lea: string;
  created_by: number;
  created_at: Date;
}

export interface PartnershipMemberTable {
  partnership_id: number;
  user_id: number;
  added_at: Date;
}

export interface ProgressionAssessmentTable {
  id: Generated<number>;
  partnership_id: number;
  rubric_id: number;
  assessed_on: string;
  created_by: number;
  created_at: Date;
  copied_from: number | null;
}

/** stage 0 is "not yet started"; 1–4 are the rubric's stages. */
export interface ProgressionAssessmentEntryTable {
  assessment_id: number;
  objective_id: number;
  stage: number;
  evidence: Generated<string>;
  next_steps: Generated<string>;
}

export interface ProgressionsTables {
  progression_rubric: ProgressionRubricTable;
  progression_stage: ProgressionStageTable;
  progression_group: ProgressionGroupTable;
  progression_objective: ProgressionObjectiveTable;
  progression_descriptor: ProgressionDescriptorTable;
  partnership: PartnershipTable;
  partnership_member: PartnershipMemberTable;
  progression_assessment: ProgressionAssessmentTable;
  progression_assessment_entry: ProgressionAssessmentEntryTable;
}
