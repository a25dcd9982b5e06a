import { sql } from 'kysely';
import type { DatabaseHandle } from '../src/db/connect';
import type { Db } from '../src/db/database';
import { communityPlaces, placeSql, communitySql } from '../src/scale/community-spread';
import { campusStudentsOf, SCALE_TABLES, seedScale } from '../src/scale/seed-scale';
import { isValidZone } from '../src/time';
import { DEMO_PASSWORD, freshDatabase } from './helpers/db';
import { step } from './helpers/story';

/**
 * `npm run seed:scale`: a small cohort through the same code the 50,000-learner seed runs. The
 * load drops foreign keys and secondary indexes and puts them back; the data is deterministic.
 */
const LEARNERS = 30;
let first: DatabaseHandle;
let second: DatabaseHandle;

beforeAll(async () => {
  [first, second] = [await freshDatabase(), await freshDatabase()];
});
afterAll(async () => {
  await first?.close();
  await second?.close();
});

/** Every constraint and index definition of the public schema, as PostgreSQL prints them. */
async function schemaShape(db: Db): Promise<string[]> {
  const constraints = await sql<{ d: string }>`
    select c.relname || ' ' || k.conname || ' ' || pg_get_constraintdef(k.oid) as d
    from pg_constraint k join pg_class c on c.oid = k.conrelid join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = current_schema()`.execute(db);
  const indexes = await sql<{ d: string }>`select indexdef as d from pg_indexes where schemaname = current_schema()`.execute(db);
  return [...constraints.rows, ...indexes.rows].map((r) => r.d).sort();
}

async function fingerprint(db: Db, table: string): Promise<{ n: number; h: string }> {
  const row = await sql<{
    n: number;
    h: string;
  }>`select count(*)::int as n, md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as h from ${sql.table(table)} t`.execute(db);
  return row.rows[0];
}

test('npm run seed:scale: fills a semester, deterministically, and refuses to run twice on one database', async () => {
  await step('fills every table of a semester, and leaves every foreign key and index as it found them', async () => {
    const before = await schemaShape(first.db);
    const lines: string[] = [];
    await seedScale(first.db, { learners: LEARNERS, password: DEMO_PASSWORD, log: (l) => lines.push(l) });
    expect(await schemaShape(first.db)).toEqual(before);
    expect(lines.some((l) => /dropped \d+ foreign keys and \d+ indexes/.test(l))).toBe(true);

    const learners = await first.db
      .selectFrom('app_user')
      .select(['id', 'email', 'role', 'time_zone', 'section_id', 'country'])
      .where('email', 'like', 'learner%@scale.example')
      .execute();
    expect(learners).toHaveLength(LEARNERS);
    const students = learners.filter((l) => l.role === 'student');
    const community = learners.filter((l) => l.role === 'community');
    // 40% community learners (i % 5 in (0, 3)): in no section, with a country and a zone; learners 1 and 2 (the bench's) are campus students.
    expect([students.length, community.length]).toEqual([campusStudentsOf(LEARNERS), LEARNERS - campusStudentsOf(LEARNERS)]);
    expect(community.length).toBe(12);
    expect(new Set(students.map((l) => l.section_id)).size).toBe(2);
    expect(students.every((l) => l.section_id !== null && l.country === null)).toBe(true);
    expect(new Set(students.map((l) => l.time_zone)).size).toBeGreaterThan(15);
    expect(community.every((l) => l.section_id === null && /^[A-Z]{2}$/.test(l.country ?? ''))).toBe(true);
    expect(new Set(community.map((l) => l.country)).size).toBeGreaterThan(6);
    expect(community.every((l) => communityPlaces().some((p) => p.country === l.country && p.zone === l.time_zone))).toBe(true);
    expect(learners.filter((l) => /^learner[12]@/.test(l.email)).map((l) => l.role)).toEqual(['student', 'student']);

    // Campus-only records are the campus students'; lesson work and teams are everyone's.
    const roleOf = new Map(learners.map((l) => [l.id, l.role]));
    for (const table of ['portfolio_submission', 'grade', 'attendance_record', 'extension_request', 'peer_assignment'] as const) {
      const column = table === 'peer_assignment' ? 'assessor_id' : 'user_id';
      const who = await sql<{ id: number }>`select distinct ${sql.ref(column)} as id from ${sql.table(table)}`.execute(first.db);
      expect({ table, community: who.rows.filter((r) => roleOf.get(r.id) === 'community').length }).toEqual({ table, community: 0 });
    }
    const mixed = await sql<{ n: number }>`
      select count(*)::int as n from (
        select m.team_id from team_membership m join app_user u on u.id = m.user_id
        group by m.team_id having count(*) filter (where u.role = 'community') > 0 and count(*) filter (where u.role = 'student') > 0) t`.execute(first.db);
    expect(mixed.rows[0].n).toBeGreaterThan(0);
    for (const table of SCALE_TABLES) expect({ table, rows: (await fingerprint(first.db, table)).n > 0 }).toEqual({ table, rows: true });

    // Nothing is dated after the instant the semester is shown as of.
    const late = await sql<{ n: number }>`select count(*)::int as n from component_completion where completed_at > timestamptz '2020-04-15T15:00:00Z'`.execute(
      first.db,
    );
    expect(late.rows[0].n).toBe(0);
    // Teams of 3–5, one team per learner per lesson.
    const sizes = await sql<{
      n: number;
    }>`select count(*)::int as n from team_membership m join team t on t.id = m.team_id where t.name like 'Team %-%' group by m.team_id`.execute(first.db);
    expect(sizes.rows.length).toBeGreaterThan(0);
    expect(sizes.rows.filter((r) => r.n < 3 || r.n > 5)).toEqual([]);
    const twice = await sql<{
      n: number;
    }>`select count(*)::int as n from (select user_id, unit_id from team_membership group by 1, 2 having count(*) > 1) x`.execute(first.db);
    expect(twice.rows[0].n).toBe(0);
  });

  await step('at 50,000 learners the community is spread over most countries, each with a zone both luxon and PostgreSQL know', async () => {
    // The seed's own expressions over 1..50,000, without inserting anything.
    const spread = await sql<{ community: number; countries: number }>`
      select count(*)::int as community, count(distinct split_part(place, '|', 1))::int as countries
      from (select ${sql.raw(placeSql('i'))} as place from generate_series(1, 50000) i where ${sql.raw(communitySql('i'))}) x`.execute(first.db);
    expect(spread.rows[0].community).toBe(20_000);
    expect(spread.rows[0].countries).toBeGreaterThanOrEqual(184);
    const places = communityPlaces();
    expect(places.length).toBeGreaterThanOrEqual(200);
    expect(places.filter((p) => !isValidZone(p.zone))).toEqual([]);
    const zones = [...new Set(places.map((p) => p.zone))];
    const known = await sql<{ name: string }>`select name from pg_timezone_names where name = any(${zones}::text[])`.execute(first.db);
    expect(zones.filter((z) => !known.rows.some((k) => k.name === z))).toEqual([]);
  });

  await step('is deterministic: the same N gives the same rows', async () => {
    await seedScale(second.db, { learners: LEARNERS, password: DEMO_PASSWORD });
    for (const table of ['component_completion', 'team_membership', 'portfolio_submission', 'grade', 'attendance_record', 'calendar_feed']) {
      expect({ table, ...(await fingerprint(second.db, table)) }).toEqual({ table, ...(await fingerprint(first.db, table)) });
    }
  });

  await step('refuses a database that already has scale learners', async () => {
    await expect(seedScale(first.db, { learners: LEARNERS, password: DEMO_PASSWORD })).rejects.toThrow(/already has scale learners/);
  });
});
