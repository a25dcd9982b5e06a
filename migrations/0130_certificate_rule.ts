import type { Kysely } from 'kysely';
import { runStatements } from '../src/db/ddl';

/**
 * What the MichiganX certificate requires, as course data (src/course/certificate-rule.ts):
 * offerings loaded before this migration get the strict default (every requirement, edX grade
 * of at least 0.7). And who started an extension: a student's request, or an instructor who
 * granted one without a request (an accommodation, an illness).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await runStatements(
    db,
    `
alter table course_offering add column certificate_rule jsonb not null
  default '{"requires":["components","study_guide","team_artifact","portfolio_complete","portfolio_s","edx_passed"],"edxMinimumGrade":0.7}'::jsonb;
alter table extension_request add column initiated_by text not null default 'student' check (initiated_by in ('student', 'instructor'));
`,
  );
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only.');
}
