import type passport from 'passport';
import { accountsRoutes } from '../accounts/accounts.routes';
import { attendanceRoutes } from '../attendance/attendance.routes';
import { calendarRoutes } from '../calendar/calendar.routes';
import { classOverviewRoutes } from '../class-overview/class-overview.routes';
import { edxImportRoutes } from '../edx-import/edx-import.routes';
import { eventsRoutes } from '../events/events.routes';
import { gradingWorkRoutes } from '../grading/grading-work.routes';
import { homeRoutes } from '../home/home.routes';
import { insightsRoutes } from '../insights/insights.routes';
import { healthRoutes } from './health.routes';
import { lessonWorkRoutes } from '../lessons/lesson-work.routes';
import { portfolioWorkRoutes } from '../portfolio/portfolio-work.routes';
import { progressionsRoutes } from '../progressions/progressions.routes';
import { remindersRoutes } from '../reminders/reminders.routes';
import { rosterRoutes } from '../roster/roster.routes';
import { rosterImportRoutes } from '../roster/roster-import.routes';
import { rosterMembersRoutes } from '../roster/roster-members.routes';
import { emailChangeRoutes } from '../accounts/email-change.routes';
import type { RouteDef } from './routing';

/** Every route in the app, in one place. The security suite checks each one. */
export function routeTable(pp: () => passport.PassportStatic): RouteDef[] {
  return [...healthRoutes, ...accountsRoutes(pp), ...homeRoutes, ...calendarRoutes, ...rosterRoutes, ...rosterImportRoutes, ...rosterMembersRoutes, ...emailChangeRoutes, ...attendanceRoutes, ...eventsRoutes, ...classOverviewRoutes, ...lessonWorkRoutes, ...progressionsRoutes, ...portfolioWorkRoutes, ...gradingWorkRoutes, ...remindersRoutes, ...edxImportRoutes, ...insightsRoutes];
}
