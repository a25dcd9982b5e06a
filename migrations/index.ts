import type { Migration } from 'kysely/migration';
import * as m0001 from './0001_accounts_and_course';
import * as m0002 from './0002_lesson_work';
import * as m0003 from './0003_portfolio_core';
import * as m0004 from './0004_portfolio_items';
import * as m0010 from './0010_calendar_feed';
import * as m0011 from './0011_lesson_notes';
import * as m0021 from './0021_grading';
import * as m0030 from './0030_reminders';
import * as m0040 from './0040_attendance';
import * as m0041 from './0041_edx_progress';
import * as m0050 from './0050_progressions';
import * as m0090 from './0090_scale_indexes';
import * as m0095 from './0095_course_data_version';
import * as m0096 from './0096_roster_version';
import * as m0097 from './0097_team_member_counts';
import * as m0110 from './0110_roster_enrollment';
import * as m0130 from './0130_certificate_rule';
import * as m0140 from './0140_rubric_cell_status';
import * as m0141 from './0141_campus_meeting_hours';
import * as m0150 from './0150_account_protection';
import * as m0160 from './0160_outbox_claims';
import * as m0170 from './0170_roster_imports';
import * as m0180 from './0180_announcement_emails';
import * as m0190 from './0190_undeliverable_addresses';
import * as m0200 from './0200_inbox';
import * as m0210 from './0210_instructor_digest';
import * as m0220 from './0220_community_learners';
import * as m0230 from './0230_community_reminders';
import * as m0240 from './0240_community_overview';
import * as m0250 from './0250_date_language';
import * as m0260 from './0260_lti_tool';
import * as m0270 from './0270_lti_launch';
import * as m0280 from './0280_roster_page_index';

/**
 * Every migration, by name. Names sort in the order they run; add new ones at the end.
 * A landed migration is never edited: write a new one.
 */
export const migrations: Record<string, Migration> = {
  '0001_accounts_and_course': m0001,
  '0002_lesson_work': m0002,
  '0003_portfolio_core': m0003,
  '0004_portfolio_items': m0004,
  '0010_calendar_feed': m0010,
  '0011_lesson_notes': m0011,
  '0021_grading': m0021,
  '0030_reminders': m0030,
  '0040_attendance': m0040,
  '0041_edx_progress': m0041,
  '0050_progressions': m0050,
  '0090_scale_indexes': m0090,
  '0095_course_data_version': m0095,
  '0096_roster_version': m0096,
  '0097_team_member_counts': m0097,
  '0110_roster_enrollment': m0110,
  '0130_certificate_rule': m0130,
  '0140_rubric_cell_status': m0140,
  '0141_campus_meeting_hours': m0141,
  '0150_account_protection': m0150,
  '0160_outbox_claims': m0160,
  '0170_roster_imports': m0170,
  '0180_announcement_emails': m0180,
  '0190_undeliverable_addresses': m0190,
  '0200_inbox': m0200,
  '0210_instructor_digest': m0210,
  '0220_community_learners': m0220,
  '0230_community_reminders': m0230,
  '0240_community_overview': m0240,
  '0250_date_language': m0250,
  '0260_lti_tool': m0260,
  '0270_lti_launch': m0270,
  '0280_roster_page_index': m0280,
};
