import type { Kysely } from 'kysely';
import { runStatements } from '../src/db/ddl';

/**
 * Every rubric cell gets a status: 'complete', 'incomplete' (cut short in the draft: the fragment
 * the draft has is kept as it is) or 'empty' (no text). Before this, a cut-short cell was stored
 * like an empty one (body null, gap 'cut short'). The one such cell in the iLEAD draft 02/18,
 * objective 8 at stage 1, gets back the words the draft has; `gap` is replaced by `status`.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await runStatements(
    db,
    `
alter table progression_descriptor add column status text not null default 'complete'
  check (status in ('complete', 'incomplete', 'empty'));
update progression_descriptor set status = 'empty' where gap = 'empty';
update progression_descriptor set status = 'incomplete' where gap = 'cut short';
alter table progression_descriptor drop column gap;
update progression_descriptor d set body = 'courses and programs.'
  from progression_objective o join progression_rubric r on r.id = o.rubric_id
  where d.objective_id = o.id and r.key = 'ilead-draft-02-18' and o.number = 8 and d.stage = 1 and d.status = 'incomplete' and d.body is null;
update progression_descriptor set body = '' where status = 'incomplete' and body is null;
alter table progression_descriptor add constraint progression_descriptor_body_status check ((body is null) = (status = 'empty'));
`,
  );
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only.');
}
