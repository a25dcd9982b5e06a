import type { Kysely } from 'kysely';
import { runStatements } from '../src/db/ddl';

/** S/U grading: each student's current grade for a portfolio (pointing at the submission that
 * was graded), and the append-only audit log of every grade change (who, when, old → new,
 * feedback). The database refuses to update or delete an audit row. */
export async function up(db: Kysely<any>): Promise<void> {
  await runStatements(
    db,
    `
create table grade (
  id int generated always as identity primary key,
  user_id int not null references app_user(id),
  portfolio_requirement_id int not null references portfolio_requirement(id),
  portfolio_submission_id int not null references portfolio_submission(id),
  grade text not null check (grade in ('S', 'U')),
  feedback text not null,
  graded_by int not null references app_user(id),
  graded_at timestamptz not null,
  unique (user_id, portfolio_requirement_id)
);
create index grade_requirement on grade (portfolio_requirement_id, grade);

create table grade_event (
  id int generated always as identity primary key,
  grade_id int not null references grade(id),
  user_id int not null references app_user(id),
  portfolio_requirement_id int not null references portfolio_requirement(id),
  portfolio_submission_id int not null references portfolio_submission(id),
  actor_id int not null references app_user(id),
  at timestamptz not null,
  old_grade text check (old_grade in ('S', 'U')),
  new_grade text not null check (new_grade in ('S', 'U')),
  old_feedback text,
  feedback text not null
);
create index grade_event_user on grade_event (user_id, portfolio_requirement_id, at);

create function grade_event_append_only() returns trigger language plpgsql as $$ begin raise exception 'grade_event is an append-only audit log'; end $$;
create trigger grade_event_no_update before update or delete on grade_event for each row execute function grade_event_append_only();
`,
  );
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only.');
}
