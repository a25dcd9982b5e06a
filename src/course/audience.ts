import type { Role } from '../roles';

/**
 * Who a course event is for. Campus students and the instructor see every event. A community
 * learner (issue 17) sees virtual office hours and the optional events open to anyone (edX going
 * live, extra sessions, the launch party), never what only the campus cohort has: campus meetings,
 * "no class" days, required sessions and portfolio deadlines. Every calendar a learner reads (the
 * calendar page, the iCalendar feed, "This week") filters through this one rule.
 */
const CAMPUS_ONLY = new Set(['campus_meeting', 'no_class', 'portfolio_due']);

export function isForCommunity(e: { kind: string; required: boolean | null }): boolean {
  if (e.kind === 'office_hours') return true;
  return !CAMPUS_ONLY.has(e.kind) && e.required !== true;
}

export function eventsFor<T extends { kind: string; required: boolean | null }>(role: Role, events: T[]): T[] {
  return role === 'community' ? events.filter(isForCommunity) : events;
}
