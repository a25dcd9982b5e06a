import type { Generated } from 'kysely';
import type { Role } from '../roles';

export interface AppUserTable {
  id: Generated<number>;
  email: string;
  name: string;
  role: Role;
  offering_id: number;
  section_id: number | null;
  time_zone: Generated<string>;
  password_hash: string | null;
  meeting_reminders: Generated<boolean>;
  announcement_emails: Generated<boolean>;
  /** Instructors: the daily digest email (migration 0210; one-click unsubscribe turns it off). */
  digest_emails: Generated<boolean>;
  /** Community learners: ISO 3166-1 alpha-2 country given when joining (migration 0220); null for campus accounts. */
  country: string | null;
  /** Community learners: the Monday "this week's lesson" email at 09:00 their time (on by default; one-click off). */
  weekly_nudge: Generated<boolean>;
  /** How dates are written for this person (src/time.ts DATE_LANGUAGES; migration 0250). */
  date_language: Generated<string>;
  created_at: Generated<Date>;
  activated_at: Date | null;
  last_login_at: Date | null;
  /** Start of the current (or, when dropped, the last) enrollment; filled from created_at on insert (migration 0110). */
  enrolled_at: Generated<Date>;
  /** Set when the instructor drops the student (their enrollment ended); cleared on re-enrollment. */
  deactivated_at: Date | null;
}

export type TokenPurpose = 'invitation' | 'password_reset' | 'email_change';

export interface UserTokenTable {
  id: Generated<number>;
  user_id: number;
  purpose: TokenPurpose;
  token_hash: string;
  expires_at: Date;
  used_at: Date | null;
  created_at: Generated<Date>;
  /** The address an 'email_change' token confirms (null for the other purposes). */
  new_email: Generated<string | null>;
}

/** A "forgot password" request waiting for the worker (migration 0150): answered the same way for any address. */
export interface PasswordResetRequestTable {
  id: Generated<number>;
  email: string;
  requested_at: Generated<Date>;
}

export interface AccountTables {
  app_user: AppUserTable;
  password_reset_request: PasswordResetRequestTable;
  user_token: UserTokenTable;
}
