import { DateTime } from 'luxon';
import { z } from 'zod';
import { BadForm, firstString, type FieldErrors } from '../http/forms';
import { formatLocalDate } from '../time';

/** The event form: a date and start/end times in the course's own zone (America/Detroit). */
const text = <T extends z.ZodType>(schema: T) => z.preprocess(firstString, schema);
const optionalText = (max: number, message: string) => z.preprocess((v) => firstString(v) ?? '', z.string().max(max, message));

const localDate = z
  .string({ error: 'Enter the date.' })
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'Enter the date as YYYY-MM-DD, for example 2020-02-05.')
  .refine((v) => DateTime.fromISO(v).isValid, 'That date does not exist.')
  .refine((v) => v >= '2000-01-01' && v <= '2099-12-31', 'Enter a date in this century.');

const clockTime = (what: string) =>
  z.string({ error: `Enter the ${what} time.` }).regex(/^([01]\d|2[0-3]):[0-5]\d$/, `Enter the ${what} time as HH:MM on a 24-hour clock, for example 16:30.`);

const videoUrl = z.preprocess(
  (v) => firstString(v) ?? '',
  z.union([
    z.literal(''),
    z.url({ protocol: /^https?$/, hostname: z.regexes.domain, error: 'Enter the full video link, starting with https://' }).max(2000, 'That link is too long.'),
  ]),
);

export const EDITABLE_KINDS = ['campus_meeting', 'office_hours', 'extra_session'] as const;
export const NEW_EVENT_KINDS = ['office_hours', 'extra_session'] as const;

const eventFields = z.object({
  kind: text(z.enum(EDITABLE_KINDS, { error: 'Choose office hours or an extra session.' })),
  title: text(z.string({ error: 'Give the event a title.' }).min(1, 'Give the event a title.').max(200, 'Keep the title under 200 characters.')),
  on: text(localDate),
  starts: text(clockTime('start')),
  ends: text(clockTime('end')),
  location: optionalText(200, 'Keep the place under 200 characters.'),
  videoUrl,
  description: optionalText(4000, 'Keep the description under 4,000 characters.'),
  required: z.preprocess((v) => firstString(v) === 'on', z.boolean()),
  note: optionalText(2000, 'Keep the note under 2,000 characters.'),
});

type EventFields = z.infer<typeof eventFields>;

function timesAndLinks(v: EventFields, ctx: z.RefinementCtx) {
  if (v.ends <= v.starts) ctx.addIssue({ code: 'custom', path: ['ends'], message: 'The end time must be after the start time.' });
  if (v.kind === 'office_hours' && !v.videoUrl) ctx.addIssue({ code: 'custom', path: ['videoUrl'], message: 'Virtual office hours need a video link.' });
}

/** Editing: the route supplies the event's own kind. */
export const eventSchema = eventFields.superRefine(timesAndLinks);

/** Adding: office hours or an extra session (campus meetings come from the course schedule). */
export const newEventSchema = eventFields
  .superRefine(timesAndLinks)
  .refine((v) => (NEW_EVENT_KINDS as readonly string[]).includes(v.kind), { path: ['kind'], message: 'Choose office hours or an extra session.' });

export type EventInput = z.infer<typeof eventSchema>;

/** Times the clocks skip in the course zone (02:00–02:59 when daylight saving time starts): luxon
 * would silently move them an hour on, so they are refused like any other bad input (Invalid). */
export function refuseSkippedLocalTimes(v: Pick<EventInput, 'on' | 'starts' | 'ends'>, zone: string): void {
  const errors: FieldErrors = {};
  for (const field of ['starts', 'ends'] as const) {
    if (DateTime.fromISO(`${v.on}T${v[field]}`, { zone }).toFormat('HH:mm') !== v[field]) {
      errors[field] =
        `${v[field]} does not exist on ${formatLocalDate(v.on)} in ${zone}: the clocks skip that hour when daylight saving time starts. Choose another time.`;
    }
  }
  if (Object.keys(errors).length) throw new BadForm(errors);
}

export const cancelSchema = z.object({ note: optionalText(2000, 'Keep the note under 2,000 characters.') });
