import { z } from 'zod';
import { attachmentsRepository } from '../attachments/attachments.repository';
import { attachmentView, type AttachmentView } from '../attachments/attachments.service';
import type { Db } from '../db/database';
import { formatDateTime } from '../time';
import type { Checklist, ItemKind } from './checklist';
import { itemVersionsRepository as repo } from './item-versions.repository';

/**
 * A submission's frozen portfolio: for every checklist item, the exact version current at the
 * moment of submission, with its text copied (and its file's id and metadata; attachments are
 * immutable rows). Later edits add new versions elsewhere and never change a snapshot.
 *
 *   takeSnapshot(trx, checklist, now)  → stored in portfolio_submission.snapshot
 *   snapshotView(snapshot, zone)       → what views/portfolio/_snapshot.ejs shows
 */
export interface SnapshotAttachment {
  id: number;
  name: string;
  contentType: string;
  byteSize: number;
}

export interface SnapshotItem {
  key: string;
  kind: ItemKind;
  label: string;
  lessonNumber: number | null;
  present: boolean;
  versionId: number | null;
  bodyMd: string | null;
  attachment: SnapshotAttachment | null;
  teamName?: string;
  uploadedBy?: string;
  /** The item's own version number (as its version history shows it) and when it was saved. */
  versionNo?: number;
  savedAt?: string;
}

export interface PortfolioSnapshot {
  requirementId: number;
  takenAt: string;
  items: SnapshotItem[];
}

const ids = (checklist: Checklist, kind: ItemKind) => checklist.items.flatMap((i) => (i.kind === kind && i.versionId !== null ? [i.versionId] : []));

/** The peer assessment's structured answers as one Markdown text. */
function peerAssessmentMarkdown(a: { collegial_interactions: string; work_products: string; strength: string; suggestion: string; comments: string }): string {
  const parts = [
    `**Collegial interactions**\n\n${a.collegial_interactions}`,
    `**Quality of work products**\n\n${a.work_products}`,
    `**One strength**\n\n${a.strength}`,
    `**One suggestion**\n\n${a.suggestion}`,
  ];
  if (a.comments.trim()) parts.push(`**Further comments**\n\n${a.comments}`);
  return parts.join('\n\n');
}

/** Copies the current version of every item of `checklist` (read in the same transaction). */
export async function takeSnapshot(db: Db, checklist: Checklist, takenAt: Date): Promise<PortfolioSnapshot> {
  const [guides, artifacts, assessments, reflections] = await Promise.all([
    repo.studyGuideVersions(db, ids(checklist, 'study_guide')),
    repo.teamArtifactVersions(db, ids(checklist, 'team_artifact')),
    repo.peerAssessments(db, ids(checklist, 'peer_assessment')),
    repo.reflectionVersions(db, ids(checklist, 'reflection')),
  ]);
  const files = await attachmentsRepository.metaByIds(
    db,
    [...guides, ...artifacts].flatMap((v) => (v.attachment_id ? [v.attachment_id] : [])),
  );
  const fileOf = (id: number | null): SnapshotAttachment | null => {
    const f = id ? files.get(id) : undefined;
    return f ? { id: f.id, name: f.original_name, contentType: f.content_type, byteSize: f.byte_size } : null;
  };
  const guideOf = new Map(guides.map((v) => [v.id, v]));
  const artifactOf = new Map(artifacts.map((v) => [v.id, v]));
  const assessmentOf = new Map(assessments.map((a) => [a.id, a]));
  const reflectionOf = new Map(reflections.map((r) => [r.id, r]));

  const saved = (v: { version_no: number; created_at: Date }) => ({ versionNo: v.version_no, savedAt: v.created_at.toISOString() });
  const items = checklist.items.map((i): SnapshotItem => {
    const base = {
      key: i.key,
      kind: i.kind,
      label: i.label,
      lessonNumber: i.lessonNumber,
      present: i.present,
      versionId: i.versionId,
      bodyMd: null,
      attachment: null,
    };
    if (i.versionId === null) return base;
    switch (i.kind) {
      case 'study_guide': {
        const v = guideOf.get(i.versionId);
        return v ? { ...base, bodyMd: v.body_md, attachment: fileOf(v.attachment_id), ...saved(v) } : base;
      }
      case 'team_artifact': {
        const v = artifactOf.get(i.versionId);
        return v ? { ...base, bodyMd: v.body_md, attachment: fileOf(v.attachment_id), teamName: v.team_name, uploadedBy: v.uploaded_by, ...saved(v) } : base;
      }
      case 'peer_assessment': {
        const a = assessmentOf.get(i.versionId);
        return a ? { ...base, bodyMd: peerAssessmentMarkdown(a), ...saved(a) } : base;
      }
      case 'reflection': {
        const r = reflectionOf.get(i.versionId);
        return r ? { ...base, bodyMd: r.body_md, ...saved(r) } : base;
      }
    }
  });
  return { requirementId: checklist.requirementId, takenAt: takenAt.toISOString(), items };
}

// Read leniently: a stored snapshot is history, and older or bulk-seeded ones may lack fields.
const storedSnapshot = z.object({
  requirementId: z.coerce.number(),
  takenAt: z.string(),
  items: z
    .array(
      z.object({
        key: z.string(),
        kind: z.string(),
        label: z.string(),
        lessonNumber: z.number().nullable().default(null),
        present: z.boolean(),
        versionId: z.number().nullable().default(null),
        bodyMd: z.string().nullable().default(null),
        attachment: z.object({ id: z.number(), name: z.string(), contentType: z.string(), byteSize: z.number() }).nullable().default(null),
        teamName: z.string().optional(),
        uploadedBy: z.string().optional(),
        versionNo: z.number().optional(),
        savedAt: z.string().optional(),
      }),
    )
    .default([]),
});

export interface SnapshotItemView {
  key: string;
  label: string;
  present: boolean;
  versionId: number | null;
  bodyMd: string | null;
  attachment: AttachmentView | null;
  teamName: string | null;
  uploadedBy: string | null;
  versionNo: number | null;
  savedAt: string | null;
}

export interface SnapshotView {
  takenAt: string;
  presentCount: number;
  total: number;
  complete: boolean;
  items: SnapshotItemView[];
}

/** A stored snapshot (jsonb, or its JSON text) as a view model, times in the reader's `zone`. */
export function snapshotView(snapshot: unknown, zone: string): SnapshotView {
  const raw = typeof snapshot === 'string' ? JSON.parse(snapshot) : snapshot;
  const s = storedSnapshot.parse(raw);
  const items = s.items.map((i) => ({
    key: i.key,
    label: i.label,
    present: i.present,
    versionId: i.versionId,
    bodyMd: i.bodyMd,
    attachment: i.attachment
      ? attachmentView({
          id: i.attachment.id,
          original_name: i.attachment.name,
          content_type: i.attachment.contentType,
          byte_size: i.attachment.byteSize,
          owner_user_id: 0,
          created_at: new Date(0),
        })
      : null,
    teamName: i.teamName ?? null,
    uploadedBy: i.uploadedBy ?? null,
    versionNo: i.versionNo ?? null,
    savedAt: i.savedAt ? formatDateTime(new Date(i.savedAt), zone) : null,
  }));
  const presentCount = items.filter((i) => i.present).length;
  return { takenAt: formatDateTime(new Date(s.takenAt), zone), presentCount, total: items.length, complete: presentCount === items.length, items };
}
