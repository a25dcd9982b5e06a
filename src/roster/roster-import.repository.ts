import { sql, type Insertable, type Selectable, type Updateable } from 'kysely';
import type { Db } from '../db/database';
import type { RosterImportTable } from './roster.tables';

export type RosterImport = Selectable<RosterImportTable>;

async function insert(db: Db, row: Insertable<RosterImportTable>): Promise<number> {
  return (await db.insertInto('roster_import').values(row).returning('id').executeTakeFirstOrThrow()).id;
}

/** A staged import of this offering (undefined for another offering's: the caller answers 404). */
async function findInOffering(db: Db, offeringId: number, id: number): Promise<RosterImport | undefined> {
  return db.selectFrom('roster_import').selectAll().where('id', '=', id).where('offering_id', '=', offeringId).executeTakeFirst();
}

/** The same, locked until the transaction ends: two confirmations of one import queue behind each other. */
async function lockInOffering(db: Db, offeringId: number, id: number): Promise<RosterImport | undefined> {
  return db.selectFrom('roster_import').selectAll().where('id', '=', id).where('offering_id', '=', offeringId).forUpdate().executeTakeFirst();
}

async function update(db: Db, id: number, changes: Updateable<RosterImportTable>): Promise<void> {
  await db.updateTable('roster_import').set(changes).where('id', '=', id).execute();
}

/**
 * Claims the oldest queued import (or one whose worker's lease ran out: its transaction rolled
 * back, so running it again is safe). FOR UPDATE SKIP LOCKED and the status change in one
 * statement: two workers never claim the same import.
 */
async function claimNext(db: Db, leaseSeconds: number, now: Date): Promise<RosterImport | undefined> {
  return db
    .updateTable('roster_import')
    .set({ status: 'running', locked_until: sql<Date>`now() + make_interval(secs => ${leaseSeconds})`, updated_at: now })
    .where(
      'id',
      '=',
      db
        .selectFrom('roster_import')
        .select('id')
        .where((eb) => eb.or([eb('status', '=', 'queued'), eb.and([eb('status', '=', 'running'), eb('locked_until', '<', sql<Date>`now()`)])]))
        .orderBy('id')
        .limit(1)
        .forUpdate()
        .skipLocked(),
    )
    .returningAll()
    .executeTakeFirst();
}

export const rosterImportRepository = Object.freeze({ insert, findInOffering, lockInOffering, update, claimNext });
