import { z } from 'zod';
import { isValidZone } from '../time';
import { certificateRuleSchema, DEFAULT_CERTIFICATE_RULE } from './certificate-rule';

/** The shape of a course file under seeds/courses/: a whole offering as data. */
const localDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD');
const hhmm = z.string().regex(/^[0-2]\d:[0-5]\d$/, 'must be HH:MM');
const zone = z.string().refine(isValidZone, 'must be an IANA time zone such as America/Detroit');

export const courseDefinitionSchema = z.object({
  offering: z.object({
    slug: z.string().regex(/^[a-z0-9-]+$/),
    code: z.string().min(1),
    title: z.string().min(1),
    term: z.string().min(1),
    timeZone: zone,
    /**
     * Campus meetings: the hours students are in the room (and attendance is taken), e.g. Mondays
     * 17:00–19:00; `registrarSlot` is the longer slot the registrar lists (17:00–20:00), shown as a note.
     */
    meeting: z.object({
      weekday: z.number().int().min(1).max(7),
      starts: hhmm,
      ends: hhmm,
      registrarSlot: z.object({ starts: hhmm, ends: hhmm }).optional(),
    }),
    location: z.string().min(1),
    instructor: z.object({ name: z.string().min(1), email: z.email(), phone: z.string().optional() }),
    socialUrl: z.url().optional(),
    startsOn: localDate,
    endsOn: localDate,
  }),
  sections: z.array(z.object({ code: z.string().min(1), title: z.string().min(1) })).min(1),
  components: z.array(z.object({ slug: z.string().regex(/^[a-z-]+$/), name: z.string(), purpose: z.string() })).min(1),
  edxCourses: z
    .array(
      z.object({
        code: z.string().min(1),
        title: z.string().min(1),
        edxUrl: z.url(),
        discussionUrl: z.url().optional(),
        units: z.array(
          z.object({
            kind: z.enum(['kickoff', 'lesson', 'closing']),
            lessonNumber: z.number().int().min(1).optional(),
            title: z.string().min(1),
            summary: z.string().default(''),
          }),
        ),
        portfolio: z.object({ title: z.string().min(1), dueOn: localDate }).optional(),
      }),
    )
    .min(1),
  events: z.array(
    z.object({
      on: localDate,
      kind: z.enum(['launch_party', 'edx_go_live', 'no_class', 'office_hours', 'extra_session']),
      title: z.string().min(1),
      starts: hhmm.optional(),
      ends: hhmm.optional(),
      location: z.string().optional(),
      edxCourse: z.string().optional(),
    }),
  ),
  weeks: z.array(
    z.object({
      startsOn: localDate,
      kind: z.enum(['intro', 'lesson', 'portfolio', 'break']),
      label: z.string().min(1),
      edxCourse: z.string().optional(),
      lesson: z.number().int().min(1).optional(),
      unit: z.enum(['kickoff', 'closing']).optional(),
      campusMeeting: z.enum(['required', 'optional']).optional(),
    }),
  ),
  /** What the MichiganX certificate requires; without it, every requirement (see certificate-rule.ts). */
  certificate: certificateRuleSchema.default(DEFAULT_CERTIFICATE_RULE),
});

export type CourseDefinition = z.infer<typeof courseDefinitionSchema>;
