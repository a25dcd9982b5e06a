import type { Generated } from 'kysely';

export type EnrichmentKind = 'web_exploration' | 'reference';

export interface EnrichmentEntryTable {
  id: Generated<number>;
  user_id: number;
  unit_id: number;
  kind: EnrichmentKind;
  title: string;
  url: string | null;
  citation: string | null;
  created_at: Date;
  deleted_at: Date | null;
}

/** Append-only: the latest row per student and unit is the current note. */
export interface LessonNoteTable {
  id: Generated<number>;
  user_id: number;
  unit_id: number;
  body: string;
  created_at: Date;
}

export interface CelebrateShareTable {
  id: Generated<number>;
  user_id: number;
  unit_id: number;
  body: string;
  created_at: Date;
  deleted_at: Date | null;
  hidden_at: Date | null;
  hidden_by: number | null;
}

export interface LessonNotesTables {
  enrichment_entry: EnrichmentEntryTable;
  lesson_note: LessonNoteTable;
  celebrate_share: CelebrateShareTable;
}
