/**
 * The three kinds of account. An account has one; the route table says which may call a route.
 *
 * - `instructor`: the course's instructor (grading, attendance, roster).
 * - `student`: a University of Michigan student enrolled in EDUC 551 or 639, in a section,
 *   graded S/U, with required campus meetings and portfolio deadlines.
 * - `community`: a community learner who joined through a join link (issue 17): same lessons,
 *   study guides, Team Practice and calendar of virtual office hours, never graded, in no
 *   section, on no attendance sheet. Every reader filtering `role = 'student'` leaves them out.
 */
export type Role = 'instructor' | 'student' | 'community';

/** The two kinds of learner: who works through lessons, keeps study guides and joins teams. */
export const LEARNERS = ['student', 'community'] as const satisfies readonly Role[];
export type LearnerRole = (typeof LEARNERS)[number];

export const isLearner = (role: Role): role is LearnerRole => role === 'student' || role === 'community';
