import { sql } from 'kysely';
import type { DatabaseHandle } from '../src/db/connect';
import { knownVersions } from '../src/db/known-versions';
import { readOne } from '../src/db/reads';
import { progressRepository } from '../src/progress/progress.repository';
import { freshDatabase } from './helpers/db';

/**
 * On a PostgreSQL server every parameterised statement of a page view is a named prepared
 * statement per connection (src/db/connect.ts): parsed and planned once, then only bound and
 * executed. Outside page views (form posts, the worker's batch jobs) statements are planned each
 * time. The embedded engine runs the same SQL unprepared. Either way the answers are the same, and
 * statements without parameters (DDL, migrations) are never prepared.
 */
let h: DatabaseHandle;

beforeAll(async () => {
  h = await freshDatabase();
});
afterAll(() => h.close());

const student = (db: DatabaseHandle['db'], email: string) =>
  db.selectFrom('app_user').select(['id', 'name', 'created_at']).where('email', '=', email).executeTakeFirst();

/** As a page view runs (the course version comes with the session). */
const asPageView = <T>(fn: () => Promise<T>) => knownVersions.run(h.db, 1, fn);

test('a repeated statement of a page view is prepared once on the connection (PostgreSQL) and answers as before', async () => {
  await asPageView(() =>
    h.db.transaction().execute(async (trx) => {
      const a = await student(trx, 'student1@cohort.example');
      const b = await student(trx, 'student2@cohort.example');
      const again = await student(trx, 'student1@cohort.example');
      expect(a?.name).toBeTruthy();
      expect(b?.name).not.toBe(a?.name);
      expect(again).toEqual(a);
      expect(again?.created_at).toBeInstanceOf(Date);
      const prepared = await sql<{
        n: number;
      }>`select count(*)::int as n from pg_prepared_statements where statement like '%from "app_user" where "email" = $1%'`.execute(trx);
      expect(prepared.rows[0].n).toBe(h.kind === 'postgres' ? 1 : 0);
    }),
  );
});

test('outside a page view (a batch job, a form post) the same statement is planned each time: never prepared', async () => {
  const byName = (db: DatabaseHandle['db'], name: string) => db.selectFrom('app_user').select(['email', 'time_zone']).where('name', '=', name).execute();
  await h.db.transaction().execute(async (trx) => {
    for (let i = 0; i < 8; i++) await byName(trx, `Nobody ${i}`);
    const prepared = await sql<{
      n: number;
    }>`select count(*)::int as n from pg_prepared_statements where statement like '%"time_zone" from "app_user" where "name" = $1%'`.execute(trx);
    expect(prepared.rows[0].n).toBe(0);
  });
  // the same statement in a page view is prepared (so the count above could have been 1)
  await asPageView(() =>
    h.db.transaction().execute(async (trx) => {
      await byName(trx, 'Nobody');
      const prepared = await sql<{
        n: number;
      }>`select count(*)::int as n from pg_prepared_statements where statement like '%"time_zone" from "app_user" where "name" = $1%'`.execute(trx);
      expect(prepared.rows[0].n).toBe(h.kind === 'postgres' ? 1 : 0);
    }),
  );
});

test('statements without parameters (DDL, scripts) stay unprepared', async () => {
  await h.db.transaction().execute(async (trx) => {
    await sql`create table prepared_probe (n int)`.execute(trx);
    await sql`insert into prepared_probe values (41)`.execute(trx);
    const r = await sql<{ n: number }>`select n + 1 as n from prepared_probe`.execute(trx);
    expect(r.rows[0].n).toBe(42);
    const prepared = await sql<{ n: number }>`select count(*)::int as n from pg_prepared_statements where statement like '%prepared_probe%'`.execute(trx);
    expect(prepared.rows[0].n).toBe(0);
    await sql`drop table prepared_probe`.execute(trx);
  });
});

test('an error in a prepared statement does not spoil the connection for the next one', async () => {
  await expect(
    h.db
      .selectFrom('app_user')
      .select('id')
      .where('id', '=', 'not a number' as unknown as number)
      .execute(),
  ).rejects.toThrow();
  expect((await student(h.db, 'student1@cohort.example'))?.name).toBeTruthy();
});

test('a batched read has one statement for any number of ids (= any($1)), and the same answers as one id at a time', async () => {
  const students = await h.db.selectFrom('app_user').select('id').where('role', '=', 'student').orderBy('id').execute();
  const ids = students.map((s) => s.id);
  const units = (await h.db.selectFrom('unit').select('id').execute()).map((u) => u.id);
  expect(ids.length).toBeGreaterThan(2);
  const components = (await h.db.selectFrom('lesson_component').select('id').execute()).map((c) => c.id);
  await asPageView(() =>
    h.db.transaction().execute(async (trx) => {
      // student i has done i components of the first unit, and one of the second
      const done = ids.flatMap((userId, i) => [
        ...components.slice(0, i).map((component_id) => ({ user_id: userId, unit_id: units[0], component_id, completed_at: new Date('2020-02-03T15:00:00Z') })),
        { user_id: userId, unit_id: units[1], component_id: components[0], completed_at: new Date('2020-02-10T15:00:00Z') },
      ]);
      await trx
        .insertInto('component_completion')
        .values(done)
        .onConflict((oc) => oc.doNothing())
        .execute();
      const all = await readOne(trx, progressRepository.completionCountsRead(trx, ids, units));
      expect(all.get(ids[2])?.get(units[0])).toBeGreaterThanOrEqual(Math.min(2, components.length));
      for (const id of ids) expect((await readOne(trx, progressRepository.completionCountsRead(trx, [id], units))).get(id)).toEqual(all.get(id));
      expect([...all.values()].some((m) => m.size > 0)).toBe(true);
      const prepared = await sql<{
        n: number;
      }>`select count(*)::int as n from pg_prepared_statements where statement like '%from "component_completion"%'`.execute(trx);
      expect(prepared.rows[0].n).toBe(h.kind === 'postgres' ? 1 : 0);
    }),
  );
});
