import { extensionsRoutes } from '../extensions/extensions.routes';
import type { RouteDef } from '../http/routing';
import { portfolioRoutes } from './portfolio.routes';

/** The portfolio and the arrangements around it: portfolio pages, submissions, extensions. */
export const portfolioWorkRoutes: RouteDef[] = [...portfolioRoutes, ...extensionsRoutes];
