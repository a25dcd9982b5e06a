import crypto from 'node:crypto';
import path from 'node:path';
import { fileTypeFromBuffer } from 'file-type';
import { Invalid } from '../errors';
import type { Db } from '../db/database';
import { attachmentsRepository, type AttachmentMeta } from './attachments.repository';

/**
 * Uploads: PDF, DOCX and images (PNG, JPEG, GIF) up to UPLOAD_MAX_BYTES. The type is read from
 * the bytes (file-type), never from the name or the browser's claim; the stored name is reduced
 * to a safe basename whose extension matches the sniffed type.
 */
export const ALLOWED_TYPES: Readonly<Record<string, string>> = Object.freeze({
  'application/pdf': 'pdf',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
});

export const ALLOWED_DESCRIPTION = 'PDF, Word (.docx), PNG, JPEG or GIF';

export interface UploadedFile {
  buffer: Buffer;
  originalname: string;
  size: number;
}

export interface CheckedUpload {
  name: string;
  contentType: string;
  byteSize: number;
  sha256: string;
  content: Buffer;
}

/** A name that is safe in a header and on any disk: no path, no control or odd characters. */
export function safeFileName(original: string, ext: string): string {
  const base = path.posix.basename(original.replace(/\\/g, '/'));
  const stem = base
    .replace(/\.[^.]*$/, '')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9 ._-]+/g, '_')
    .replace(/\.{2,}/g, '.')
    .replace(/^[ ._-]+|[ ._-]+$/g, '')
    .slice(0, 100);
  return `${stem || 'attachment'}.${ext}`;
}

/** A refused file: the form shows the message by its file field (`file`). */
function refuseFile(message: string, status = 422): never {
  throw new Invalid(message, { file: message }, status);
}

/** Checks an optional upload before any transaction opens (sniffing is CPU work, no database). */
export async function checkUpload(file: UploadedFile | undefined, maxBytes: number): Promise<CheckedUpload | null> {
  if (!file || file.size === 0) return null;
  if (file.size > maxBytes) refuseFile(`That file is too large: the limit is ${Math.floor(maxBytes / 1024 / 1024) || 1} MB.`);
  const sniffed = await fileTypeFromBuffer(file.buffer).catch(() => undefined); // a malformed file is simply not one we accept
  const ext = sniffed ? ALLOWED_TYPES[sniffed.mime] : undefined;
  if (!sniffed || !ext) {
    refuseFile(`That file is not a ${ALLOWED_DESCRIPTION} file (we check what is inside it, not its name). Nothing was saved.`);
  }
  return {
    name: safeFileName(file.originalname ?? '', ext),
    contentType: sniffed.mime,
    byteSize: file.buffer.length,
    sha256: crypto.createHash('sha256').update(file.buffer).digest('hex'),
    content: file.buffer,
  };
}

/**
 * Stores an upload, or reuses the file of an earlier version of the same document (`earlierFiles`)
 * when its bytes are the same: saving again with the same file attached costs no space (the file
 * keeps its first name). Only within one document: a private study guide's file never becomes the
 * same record as a team artifact's, so who may read each stays as it was.
 */
async function store(db: Db, ownerUserId: number, upload: CheckedUpload, now: Date, earlierFiles: (number | null)[] = []): Promise<number> {
  const among = earlierFiles.filter((id): id is number => id !== null);
  const same = await attachmentsRepository.findOwnedBySha256(db, ownerUserId, upload.sha256, among);
  return same ?? attachmentsRepository.insert(db, { ownerUserId, ...upload, createdAt: now });
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MB`;

/**
 * Each person may keep UPLOAD_QUOTA_BYTES of files in all (every version's file counts; a file
 * saved again on the same document is stored once). Checked before the save's transaction: a file
 * that does not fit is refused (Invalid on `file`, 413). Bytes the person already stored are let through (at most one more
 * copy per document), so re-attaching a kept file never fails.
 */
async function checkQuota(db: Db, ownerUserId: number, upload: CheckedUpload | null, quotaBytes: number): Promise<void> {
  if (!upload) return;
  if (await attachmentsRepository.findOwnedBySha256(db, ownerUserId, upload.sha256)) return;
  const used = await attachmentsRepository.bytesOwnedBy(db, ownerUserId);
  if (used + upload.byteSize <= quotaBytes) return;
  refuseFile(
    `You have used ${mb(used)} of your ${mb(quotaBytes)} for files, and this file (${mb(upload.byteSize)}) does not fit. Nothing was saved. Attach a smaller file, or save without one and ask your instructor for more space.`,
    413,
  );
}

/** What a view shows for a file: its link, name and size. */
export interface AttachmentView {
  url: string;
  name: string;
  size: string;
}

export function attachmentView(meta: AttachmentMeta | undefined | null): AttachmentView | null {
  if (!meta) return null;
  const kb = meta.byte_size / 1024;
  return { url: `/attachments/${meta.id}`, name: meta.original_name, size: kb < 1024 ? `${Math.max(1, Math.round(kb))} KB` : `${(kb / 1024).toFixed(1)} MB` };
}

export const attachmentsService = Object.freeze({ checkUpload, checkQuota, store, safeFileName, attachmentView });
