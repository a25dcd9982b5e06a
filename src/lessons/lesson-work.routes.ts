import { attachmentsRoutes } from '../attachments/attachments.routes';
import type { RouteDef } from '../http/routing';
import { studyGuidesRoutes } from '../study-guides/study-guides.routes';
import { teamsRoutes } from '../teams/teams.routes';
import { lessonsRoutes } from './lessons.routes';

/** The lesson page and the work a portfolio is made of: lessons, study guides, teams, files. */
export const lessonWorkRoutes: RouteDef[] = [...lessonsRoutes, ...studyGuidesRoutes, ...teamsRoutes, ...attachmentsRoutes];
