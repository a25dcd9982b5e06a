import { sql } from 'kysely';
import type { UntypedDb } from '../../src/db/database';

/**
 * A fingerprint of one student's rows: every row of every table with a column naming them
 * (user_id, owner_user_id, assessor_id, assessee_id), their account row, and the versions that
 * hang off their study guides, reflections and teams. An attacker's request may change the
 * attacker's own rows; it must leave these exactly as they were.
 */
const OWNER_COLUMNS = ['user_id', 'owner_user_id', 'assessor_id', 'assessee_id'];

export async function ownedRowsFingerprint(db: UntypedDb, userId: number): Promise<Record<string, string>> {
  const columns = (
    await sql<{ table_name: string; column_name: string }>`select c.table_name, c.column_name from information_schema.columns c
      join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name and t.table_type = 'BASE TABLE'
      where c.table_schema = current_schema() and c.column_name in (${sql.join(OWNER_COLUMNS)}) and c.table_name <> 'http_session'
      order by c.table_name, c.column_name`.execute(db)
  ).rows;
  const byTable = new Map<string, string[]>();
  for (const c of columns) byTable.set(c.table_name, [...(byTable.get(c.table_name) ?? []), c.column_name]);
  const owned = [...byTable].map(([table, cols]) => ({
    name: table,
    query: sql`select * from ${sql.table(table)} x where ${sql.join(
      cols.map((c) => sql`${sql.ref(`x.${c}`)} = ${userId}`),
      sql` or `,
    )}`,
  }));
  const children = [
    { name: 'app_user', query: sql`select * from app_user x where x.id = ${userId}` },
    {
      name: 'study_guide_version',
      query: sql`select * from study_guide_version x where x.study_guide_id in (select id from study_guide where user_id = ${userId})`,
    },
    {
      name: 'portfolio_reflection_version',
      query: sql`select * from portfolio_reflection_version x where x.reflection_id in (select id from portfolio_reflection where user_id = ${userId})`,
    },
    {
      name: 'team_artifact_version',
      query: sql`select * from team_artifact_version x where x.team_id in (select team_id from team_membership where user_id = ${userId})`,
    },
  ];
  const parts = [...owned, ...children].map(
    (p) => sql`select ${p.name}::text as t, count(*)::int as n, md5(coalesce(string_agg(x::text, '|' order by x::text), '')) as h from (${p.query}) x`,
  );
  const rows = (await sql<{ t: string; n: number; h: string }>`${sql.join(parts, sql` union all `)}`.execute(db)).rows;
  return Object.fromEntries(rows.map((r) => [r.t, `${r.n}:${r.h}`]));
}
