import type { Generated } from 'kysely';

/** A lesson's components each student has marked complete (migration 0002). Owned by src/lessons/. */
export interface ComponentCompletionTable {
  user_id: number;
  unit_id: number;
  component_id: number;
  completed_at: Date;
}

export interface LearningCheckResponseTable {
  id: Generated<number>;
  user_id: number;
  unit_id: number;
  understanding: string;
  strengths: string;
  weaknesses: string;
  submitted_at: Date;
}

export interface LessonWorkTables {
  component_completion: ComponentCompletionTable;
  learning_check_response: LearningCheckResponseTable;
}
