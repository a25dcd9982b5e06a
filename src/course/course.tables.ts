import type { Generated } from 'kysely';

export interface CourseOfferingTable {
  id: Generated<number>;
  slug: string;
  code: string;
  title: string;
  term: string;
  time_zone: string;
  meeting_weekday: number;
  /** The hours of a campus meeting ('17:00'–'19:00'): what students attend and the calendar shows. */
  meeting_starts: string;
  meeting_ends: string;
  /** The registrar's longer slot for the course ('17:00'–'20:00'), shown as a note; null when none. */
  registrar_slot_starts: string | null;
  registrar_slot_ends: string | null;
  location: string;
  instructor_name: string;
  instructor_email: string;
  instructor_phone: string | null;
  social_url: string | null;
  starts_on: string;
  ends_on: string;
  created_at: Generated<Date>;
  /** What the MichiganX certificate requires (src/course/certificate-rule.ts). */
  certificate_rule: Generated<unknown>;
}

export interface SectionTable {
  id: Generated<number>;
  offering_id: number;
  code: string;
  title: string;
}

export interface EdxCourseTable {
  id: Generated<number>;
  offering_id: number;
  code: string;
  title: string;
  edx_url: string;
  discussion_url: string | null;
  position: number;
}

export interface LessonComponentTable {
  id: Generated<number>;
  position: number;
  slug: string;
  name: string;
  purpose: string;
}

export type UnitKind = 'kickoff' | 'lesson' | 'closing';

export interface UnitTable {
  id: Generated<number>;
  edx_course_id: number;
  position: number;
  kind: UnitKind;
  lesson_number: number | null;
  title: string;
  summary: Generated<string>;
}

export type WeekKind = 'intro' | 'lesson' | 'portfolio' | 'break';

export interface CourseWeekTable {
  id: Generated<number>;
  offering_id: number;
  starts_on: string;
  kind: WeekKind;
  edx_course_id: number | null;
  unit_id: number | null;
  label: string;
}

export interface PortfolioRequirementTable {
  id: Generated<number>;
  edx_course_id: number;
  title: string;
  due_on: string;
  /** Exclusive: a submission at or after this instant is late (midnight after due_on, course zone). */
  due_at: Date;
}

export type EventKind = 'launch_party' | 'edx_go_live' | 'campus_meeting' | 'no_class' | 'office_hours' | 'extra_session' | 'portfolio_due';

export interface CalendarEventTable {
  id: Generated<number>;
  offering_id: number;
  uid: string;
  kind: EventKind;
  title: string;
  description: Generated<string>;
  starts_at: Date;
  ends_at: Date | null;
  all_day: Generated<boolean>;
  required: boolean | null;
  course_week_id: number | null;
  edx_course_id: number | null;
  portfolio_requirement_id: number | null;
  location: string | null;
  video_url: string | null;
  status: Generated<'scheduled' | 'cancelled'>;
  sequence: Generated<number>;
  updated_at: Generated<Date>;
}

/** One row: moved by triggers whenever a course table changes (migration 0095, src/course/course-cache.ts). */
export interface CourseDataVersionTable {
  id: number;
  version: number;
}

export interface CourseTables {
  course_offering: CourseOfferingTable;
  section: SectionTable;
  edx_course: EdxCourseTable;
  lesson_component: LessonComponentTable;
  unit: UnitTable;
  course_week: CourseWeekTable;
  portfolio_requirement: PortfolioRequirementTable;
  calendar_event: CalendarEventTable;
  course_data_version: CourseDataVersionTable;
}
