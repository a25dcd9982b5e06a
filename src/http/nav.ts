import type { Role } from '../roles';
import type { NavEntry, RouteDef } from './routing';

export interface NavLink {
  href: string;
  label: string;
}

export type NavMenus = Record<Role, NavLink[]>;

const ROLES: readonly Role[] = ['instructor', 'student', 'community'];

/** Who sees an entry: its own roles, else the roles the route lets in (every signed-in role for a public or authenticated page). */
function rolesOf(route: RouteDef, entry: NavEntry): readonly Role[] {
  if (entry.roles) return entry.roles;
  return typeof route.access === 'string' ? ROLES : route.access;
}

/** The main menu per role, built once from the route table's `nav` entries. */
export function navMenus(routes: readonly RouteDef[]): NavMenus {
  const entries = routes.flatMap((route) => {
    if (route.method !== 'get' || !route.nav) return [];
    const navs: readonly NavEntry[] = Array.isArray(route.nav) ? route.nav : [route.nav as NavEntry];
    return navs.map((entry) => ({ href: route.path, entry, roles: rolesOf(route, entry) }));
  });
  entries.sort((a, b) => a.entry.order - b.entry.order);
  const menus = {} as NavMenus;
  for (const role of ROLES) menus[role] = entries.filter((e) => e.roles.includes(role)).map((e) => ({ href: e.href, label: e.entry.label }));
  return menus;
}
