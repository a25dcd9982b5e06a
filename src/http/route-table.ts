import type passport from 'passport';
import { accountsRoutes } from '../accounts/accounts.routes';
import { attendanceRoutes } from '../attendance/attendance.routes';
import { calendarRoutes } from '../calendar/calendar.routes';
import { communityRoutes } from '../community/community.routes';
import { classOverviewRoutes } from '../class-overview/class-overview.routes';
import { edxImportRoutes } from '../edx-import/edx-import.routes';
import { edxProgressRoutes } from '../edx-import/edx-progress.routes';
import { eventsRoutes } from '../events/events.routes';
import { homeRoutes } from '../home/home.routes';
import { insightsRoutes } from '../insights/insights.routes';
import { healthRoutes } from './health.routes';
import { progressionsRoutes } from '../progressions/progressions.routes';
import { remindersRoutes } from '../reminders/reminders.routes';
import { inboxRoutes } from '../inbox/inbox.routes';
import { ltiRoutes } from '../lti/lti.routes';
import { launchRoutes } from '../lti/launch.routes';
import { rosterRoutes } from '../roster/roster.routes';
import { rosterImportRoutes } from '../roster/roster-import.routes';
import { joinLinksRoutes } from '../roster/join-links.routes';
import { rosterMembersRoutes } from '../roster/roster-members.routes';
import { emailChangeRoutes } from '../accounts/email-change.routes';
import { unsubscribeRoutes } from '../accounts/unsubscribe.routes';
import { attachmentsRoutes } from '../attachments/attachments.routes';
import { certificatesRoutes } from '../certificates/certificates.routes';
import { extensionsRoutes } from '../extensions/extensions.routes';
import { gradingRoutes } from '../grading/grading.routes';
import { lessonsRoutes } from '../lessons/lessons.routes';
import { studyGuideFormRoutes } from '../lessons/study-guide-forms.routes';
import { teamPracticeRoutes } from '../lessons/team-practice.routes';
import { peerAssessmentRoutes } from '../peer-assessment/peer-assessment.routes';
import { portfolioRoutes } from '../portfolio/portfolio.routes';
import { studyGuidesRoutes } from '../study-guides/study-guides.routes';
import { teamsRoutes } from '../teams/teams.routes';
import type { RouteDef } from './routing';

/** Every route in the app, in one place. The security suite checks each one. */
export function routeTable(pp: () => passport.PassportStatic): RouteDef[] {
  return [
    ...healthRoutes,
    ...accountsRoutes(pp),
    ...homeRoutes,
    ...calendarRoutes,
    ...rosterRoutes,
    ...rosterImportRoutes,
    ...rosterMembersRoutes,
    ...joinLinksRoutes,
    ...communityRoutes,
    ...emailChangeRoutes,
    ...unsubscribeRoutes,
    ...attendanceRoutes,
    ...eventsRoutes,
    ...classOverviewRoutes,
    // The lesson page and the work a portfolio is made of.
    ...lessonsRoutes,
    ...studyGuideFormRoutes,
    ...studyGuidesRoutes,
    ...teamPracticeRoutes,
    ...teamsRoutes,
    ...attachmentsRoutes,
    ...progressionsRoutes,
    // The portfolio and the arrangements around it.
    ...portfolioRoutes,
    ...extensionsRoutes,
    // Section 6's assessment side: peer assessment, S/U grading and the gradebook, certificates.
    ...peerAssessmentRoutes,
    ...gradingRoutes,
    ...certificatesRoutes,
    ...remindersRoutes,
    ...inboxRoutes,
    ...edxImportRoutes,
    ...edxProgressRoutes,
    ...insightsRoutes,
    ...ltiRoutes,
    ...launchRoutes,
  ];
}
