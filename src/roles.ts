/** The two roles of the course. An account has one; the route table says which may call a route. */
export type Role = 'instructor' | 'student';
