import type { Db } from '../db/database';
import { anyOf } from '../db/any';

/** Uploaded files (bytes in the database, type sniffed from the content at upload). */
export interface AttachmentMeta {
  id: number;
  owner_user_id: number;
  original_name: string;
  content_type: string;
  byte_size: number;
  created_at: Date;
}

const metaColumns = ['id', 'owner_user_id', 'original_name', 'content_type', 'byte_size', 'created_at'] as const;

async function insert(
  db: Db,
  row: { ownerUserId: number; name: string; contentType: string; byteSize: number; sha256: string; content: Buffer; createdAt: Date },
): Promise<number> {
  const { id } = await db
    .insertInto('attachment')
    .values({
      owner_user_id: row.ownerUserId,
      original_name: row.name,
      content_type: row.contentType,
      byte_size: row.byteSize,
      sha256: row.sha256,
      content: row.content,
      created_at: row.createdAt,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

async function metaByIds(db: Db, ids: number[]): Promise<Map<number, AttachmentMeta>> {
  const unique = [...new Set(ids)];
  if (!unique.length) return new Map();
  const rows = await db.selectFrom('attachment').select(metaColumns).where('id', '=', anyOf(unique)).execute();
  return new Map(rows.map((r) => [r.id, r]));
}

async function count(db: Db): Promise<number> {
  const { n } = await db
    .selectFrom('attachment')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(n);
}

/** The owner's file with these bytes, if they stored it before; only among `among` when given. */
async function findOwnedBySha256(db: Db, ownerUserId: number, sha256: string, among?: number[]): Promise<number | null> {
  if (among && !among.length) return null;
  let q = db.selectFrom('attachment').select('id').where('owner_user_id', '=', ownerUserId).where('sha256', '=', sha256);
  if (among) q = q.where('id', '=', anyOf(among));
  const row = await q.orderBy('id').limit(1).executeTakeFirst();
  return row?.id ?? null;
}

/** Bytes stored for one owner (every version's file counts until it is purged). */
async function bytesOwnedBy(db: Db, ownerUserId: number): Promise<number> {
  const { n } = await db
    .selectFrom('attachment')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('byte_size'), eb.lit(0)).as('n'))
    .where('owner_user_id', '=', ownerUserId)
    .executeTakeFirstOrThrow();
  return Number(n);
}

export const attachmentsRepository = Object.freeze({ insert, metaByIds, count, findOwnedBySha256, bytesOwnedBy });
