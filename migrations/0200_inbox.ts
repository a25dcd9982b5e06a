import type { Kysely } from 'kysely';
import { runStatements } from '../src/db/ddl';

/**
 * The in-app inbox (issue 16). `notice`, owned by src/mail/ (src/mail/notices.ts): one message to
 * one person (a portfolio submission recorded, an extension decided, feedback ready, a peer
 * assessment about them), kept in their inbox and sent by email in the same transaction as the
 * action; `dedupe_key` makes it once per event. `announcement_read`, owned by the announcements
 * (src/reminders/announcements.ts): which announcements a student has opened; announcements
 * themselves are not copied per person, so a student who joins later reads every earlier one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await runStatements(
    db,
    `
create table notice (
  id int generated always as identity primary key,
  user_id int not null references app_user(id),
  kind text not null,
  subject text not null,
  body text not null,
  url text not null,
  created_at timestamptz not null,
  read_at timestamptz,
  dedupe_key text not null unique
);
create index notice_user on notice (user_id, created_at desc, id desc);
create index notice_user_unread on notice (user_id) where read_at is null;

create table announcement_read (
  user_id int not null references app_user(id),
  announcement_id int not null references announcement(id),
  read_at timestamptz not null,
  primary key (user_id, announcement_id)
);
`,
  );
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only.');
}
