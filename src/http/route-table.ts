import type passport from 'passport';
import { accountsRoutes } from '../accounts/accounts.routes';
import { calendarRoutes } from '../calendar/calendar.routes';
import { homeRoutes } from '../home/home.routes';
import { healthRoutes } from './health.routes';
import { rosterRoutes } from '../roster/roster.routes';
import type { RouteDef } from './routing';

/** Every route in the app, in one place. The security suite checks each one. */
export function routeTable(pp: () => passport.PassportStatic): RouteDef[] {
  return [...healthRoutes, ...accountsRoutes(pp), ...homeRoutes, ...calendarRoutes, ...rosterRoutes];
}
