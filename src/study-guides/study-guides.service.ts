import { workAccess, type Reader } from '../attachments/access';
import { attachmentsRepository } from '../attachments/attachments.repository';
import { attachmentsService, type CheckedUpload } from '../attachments/attachments.service';
import type { Db } from '../db/database';
import { Invalid, NotFound } from '../errors';
import { courseUnits, type Student } from '../course/units';
import { requireCurrentVersion, versionToken } from '../versions';
import { studyGuidesRepository } from './study-guides.repository';

/**
 * The study guide that accompanies a lesson's Presentation videos. A save never overwrites:
 * it adds a version (text and optional file; the previous file is kept unless removed).
 * Deleting only marks the guide deleted; a later save or "restore" brings it back.
 */
export interface SaveInput {
  student: Student;
  unitId: number;
  body: string;
  upload: CheckedUpload | null;
  removeAttachment: boolean;
  /** The version the form was opened on ('' before the first). */
  base: string;
  now: Date;
}

/** A save's version number; an empty save (no text, no file) is refused on `body`. */
export interface SaveResult {
  versionNo: number;
}

async function save(trx: Db, input: SaveInput): Promise<SaveResult> {
  await courseUnits.requireLesson(trx, input.student.offeringId, input.unitId);
  const userId = input.student.id;
  const existing = await studyGuidesRepository.findByUserUnit(trx, userId, input.unitId);
  const previous = existing ? await studyGuidesRepository.latestVersion(trx, existing.id) : undefined;
  const keptFile = input.removeAttachment ? null : (previous?.attachment_id ?? null);
  if (!input.body.trim() && !input.upload && keptFile === null) {
    throw new Invalid('Write your study guide, or attach a file.', { body: 'Write your study guide, or attach a file.' });
  }
  const guideId = await studyGuidesRepository.upsertForSave(trx, userId, input.unitId, input.now);
  // Re-read under the row lock the upsert took: two saves at once get consecutive numbers.
  const latest = await studyGuidesRepository.latestVersion(trx, guideId);
  // Another tab of the same student may have saved since this form was opened.
  requireCurrentVersion(latest ? { token: versionToken(latest.id), text: latest.body_md, by: 'you', at: latest.created_at } : null, {
    what: 'study guide',
    base: input.base,
    text: input.body,
    fields: [{ name: 'guide_body', label: 'Study guide (Markdown)' }],
  });
  const earlierFiles = input.upload ? (await studyGuidesRepository.versions(trx, guideId)).map((v) => v.attachment_id) : [];
  const attachmentId = input.upload ? await attachmentsService.store(trx, userId, input.upload, input.now, earlierFiles) : keptFile;
  const versionNo = (latest?.version_no ?? 0) + 1;
  await studyGuidesRepository.insertVersion(trx, { guideId, versionNo, body: input.body, attachmentId, at: input.now });
  return { versionNo };
}

async function setDeleted(trx: Db, student: Student, unitId: number, deleted: boolean, now: Date): Promise<void> {
  await courseUnits.requireLesson(trx, student.offeringId, unitId);
  const guide = await studyGuidesRepository.findByUserUnit(trx, student.id, unitId);
  if (!guide) throw new NotFound('You have no study guide for this lesson yet.');
  await studyGuidesRepository.setDeleted(trx, guide.id, deleted ? now : null);
}

/** The guide and its versions, for a reader allowed to see its owner's work (else NotFound). */
async function readableGuide(db: Db, reader: Reader, guideId: number) {
  const guide = await studyGuidesRepository.findById(db, guideId);
  // A deleted guide has left the portfolio: only its owner (who may restore it) and the instructor still read it.
  const hiddenFromReader = guide?.deleted_at != null && reader.role !== 'instructor' && reader.id !== guide.user_id;
  if (!guide || hiddenFromReader || !(await workAccess.canReadWorkOf(db, reader, guide.user_id, guide.unit_id)))
    throw new NotFound('We could not find that study guide.');
  return guide;
}

async function versionsFor(db: Db, reader: Reader, guideId: number) {
  const guide = await readableGuide(db, reader, guideId);
  const versions = await studyGuidesRepository.versions(db, guideId);
  const files = await attachmentsRepository.metaByIds(
    db,
    versions.flatMap((v) => (v.attachment_id ? [v.attachment_id] : [])),
  );
  return {
    guide,
    versions: versions.map((v) => ({ ...v, attachment: attachmentsService.attachmentView(v.attachment_id ? files.get(v.attachment_id) : null) })),
  };
}

async function versionFor(db: Db, reader: Reader, guideId: number, versionNo: number) {
  const guide = await readableGuide(db, reader, guideId);
  const version = await studyGuidesRepository.version(db, guideId, versionNo);
  if (!version) throw new NotFound('That version does not exist.');
  const files = await attachmentsRepository.metaByIds(db, version.attachment_id ? [version.attachment_id] : []);
  return { guide, version: { ...version, attachment: attachmentsService.attachmentView(version.attachment_id ? files.get(version.attachment_id) : null) } };
}

export const studyGuidesService = Object.freeze({ save, setDeleted, readableGuide, versionsFor, versionFor });
