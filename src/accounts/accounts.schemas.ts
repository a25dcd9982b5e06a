import { z } from 'zod';
import { firstString } from '../http/forms';
import { isDateLanguage, isValidZone } from '../time';

const text = (schema: z.ZodString) => z.preprocess(firstString, schema);

export const loginSchema = z.object({
  email: text(z.string({ error: 'Enter your email address.' }).min(1, 'Enter your email address.').max(320, 'That email address is too long.')),
  password: z.preprocess(
    (v) => (Array.isArray(v) ? v[0] : v),
    z.string({ error: 'Enter your password.' }).min(1, 'Enter your password.').max(1000, 'That password is too long.'),
  ),
});

export const passwordSchema = z
  .object({
    password: z.preprocess(
      (v) => (Array.isArray(v) ? v[0] : v),
      z.string({ error: 'Choose a password.' }).min(10, 'Use at least 10 characters.').max(200, 'Use at most 200 characters.'),
    ),
    confirm: z.preprocess((v) => (Array.isArray(v) ? v[0] : v), z.string({ error: 'Type the password again.' })),
  })
  .refine((v) => v.password === v.confirm, { path: ['confirm'], message: 'The two passwords do not match.' });

export const forgotSchema = z.object({
  email: z.preprocess(firstString, z.email({ error: 'Enter the email address you were invited with.' }).max(320)),
});

export const settingsSchema = z.object({
  timeZone: text(z.string({ error: 'Choose a time zone.' }).refine(isValidZone, 'Choose a time zone from the list.')),
  meetingReminders: z.preprocess((v) => firstString(v) === 'on', z.boolean()),
  announcementEmails: z.preprocess((v) => firstString(v) === 'on', z.boolean()),
  digestEmails: z.preprocess((v) => firstString(v) === 'on', z.boolean()),
  /** Community learners: the Monday "this week's lesson" email, and reminders the day before virtual office hours (app_user.meeting_reminders). */
  weeklyNudge: z.preprocess((v) => firstString(v) === 'on', z.boolean()),
  officeHoursReminders: z.preprocess((v) => firstString(v) === 'on', z.boolean()),
  /** How dates are written for them (src/time.ts); left as it is when the form does not send it. */
  dateLanguage: z.preprocess(firstString, z.string().refine(isDateLanguage, 'Choose how dates are written from the list.').optional()),
});
export type SettingsInput = z.infer<typeof settingsSchema>;
