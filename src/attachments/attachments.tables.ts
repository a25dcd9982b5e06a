import type { Generated } from 'kysely';

/** Uploaded files (migration 0002; bytes in the database). Owned by src/attachments/. */
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

export interface AttachmentTables {
  attachment: AttachmentTable;
}
