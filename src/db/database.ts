import type { Kysely, Transaction } from 'kysely';
import type { AccountTables } from '../accounts/accounts.tables';
import type { AttachmentTables } from '../attachments/attachments.tables';
import type { AuditTables } from '../audit/audit.tables';
import type { AttendanceTables } from '../attendance/attendance.tables';
import type { CalendarFeedTables } from '../calendar/calendar-feed.tables';
import type { CourseTables } from '../course/course.tables';
import type { CommunityTables } from '../community/community.tables';
import type { LtiTables } from '../lti/lti.tables';
import type { DigestTables } from '../digest/digest.tables';
import type { EdxImportTables } from '../edx-import/edx-import.tables';
import type { GradingTables } from '../grading/grading.tables';
import type { LessonNotesTables } from '../lessons/lesson-notes.tables';
import type { LessonWorkTables } from '../lessons/lesson-work.tables';
import type { MailTables } from '../mail/mail.tables';
import type { PortfolioCoreTables } from '../portfolio/portfolio-core.tables';
import type { PortfolioItemTables } from '../portfolio/portfolio-items.tables';
import type { ProgressionsTables } from '../progressions/progressions.tables';
import type { RemindersTables } from '../reminders/reminders.tables';
import type { RosterTables } from '../roster/roster.tables';
import type { StudyGuideTables } from '../study-guides/study-guides.tables';
import type { TeamTables } from '../teams/teams.tables';
import type { ThrottleTables } from '../http/throttle';
import type { SessionTables } from '../http/session.tables';
import type { EventsTables } from '../events/events.tables';
import type { PeerAssessmentTables } from '../peer-assessment/peer-assessment.tables';

/** Every table, composed from each concept's own `*.tables.ts`. Add a feature's tables here. */
export interface Database
  extends
    CourseTables,
    AccountTables,
    MailTables,
    LessonWorkTables,
    AttachmentTables,
    StudyGuideTables,
    TeamTables,
    LessonNotesTables,
    PortfolioCoreTables,
    PortfolioItemTables,
    AttendanceTables,
    CalendarFeedTables,
    ProgressionsTables,
    RemindersTables,
    GradingTables,
    EdxImportTables,
    RosterTables,
    AuditTables,
    ThrottleTables,
    SessionTables,
    EventsTables,
    PeerAssessmentTables,
    DigestTables,
    CommunityTables,
    LtiTables {}

/** A database handle or a transaction: every repository and service function takes one first. */
export type Db = Kysely<Database> | Transaction<Database>;

/**
 * A handle whose tables are not typed: code that must work on any schema version or on every table
 * alike (the migrator, DDL, backups, whole-database fingerprints in tests). Migrations themselves
 * take `Kysely<any>` as Kysely documents, so that they never depend on today's `Database`.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the point of this type: no schema
export type UntypedDb = Kysely<any>;
