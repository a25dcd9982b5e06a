import { sql, type Kysely } from 'kysely';

/**
 * Each team's active member count and latest join, kept on `team` by triggers on
 * team_membership, so the lesson page's "open teams to join" reads a few rows of one index
 * instead of counting every active membership of the unit on each view (35,000 rows at 50,000
 * learners). Statement-level triggers with transition tables recompute the teams a statement
 * touched in one set-based update, so a bulk load of memberships costs one pass, not a trigger
 * call per row.
 */
/** Recomputes the teams whose ids `changed` (a query over the statement's transition tables) selects. */
const refresh = (changed: string) => `
  update team t
  set active_members = c.n, last_joined_at = c.last_joined_at
  from (
    select t2.id, count(m.id)::int as n, max(m.joined_at) as last_joined_at
    from team t2 left join team_membership m on m.team_id = t2.id and m.left_at is null
    where t2.id in (${changed})
    group by t2.id
  ) c
  where t.id = c.id and (t.active_members, t.last_joined_at) is distinct from (c.n, c.last_joined_at)`;

const triggers = [
  { name: 'team_membership_inserted', on: 'insert', referencing: 'new table as new_memberships', changed: 'select team_id from new_memberships' },
  {
    name: 'team_membership_updated',
    on: 'update',
    referencing: 'old table as old_memberships new table as new_memberships',
    changed: 'select team_id from new_memberships union select team_id from old_memberships',
  },
  { name: 'team_membership_deleted', on: 'delete', referencing: 'old table as old_memberships', changed: 'select team_id from old_memberships' },
];

export async function up(db: Kysely<any>): Promise<void> {
  await sql.raw(`alter table team add column active_members int not null default 0, add column last_joined_at timestamptz`).execute(db);
  for (const t of triggers) {
    // One statement each (the function body holds semicolons).
    await sql.raw(`create function ${t.name}() returns trigger language plpgsql as $$ begin ${refresh(t.changed)}; return null; end $$`).execute(db);
    await sql
      .raw(`create trigger ${t.name} after ${t.on} on team_membership referencing ${t.referencing} for each statement execute function ${t.name}()`)
      .execute(db);
  }
  await sql.raw(refresh('select id from team')).execute(db);
  await sql.raw(`create index team_open_by_size on team (unit_id, active_members desc, last_joined_at desc, id) where active_members > 0`).execute(db);
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only.');
}
