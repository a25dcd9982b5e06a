import { z } from 'zod';
import { firstString } from '../http/forms';

/** The reminders page's query string (a bad value falls back to its default) and the announcement form. */
export const REMINDER_STATUSES = ['scheduled', 'claimed', 'queued', 'sent', 'failed', 'skipped', 'cancelled'] as const;
export const REMINDER_KINDS = ['portfolio_deadline', 'campus_meeting', 'office_hours', 'weekly_nudge'] as const;

const q = <T extends z.ZodType>(schema: T) => z.preprocess(firstString, schema);

export const reminderListQuerySchema = z.object({
  status: q(z.enum(REMINDER_STATUSES)).optional().catch(undefined),
  kind: q(z.enum(REMINDER_KINDS)).optional().catch(undefined),
  page: q(z.coerce.number().int().min(1).max(1_000_000)).catch(1),
});
export type ReminderListQuery = z.infer<typeof reminderListQuerySchema>;

export const announcementIdSchema = z.object({ announcementId: z.coerce.number().int().positive().max(2_147_483_647) });
export const reminderIdSchema = z.object({ reminderId: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) });

const text = <T extends z.ZodType>(schema: T) => z.preprocess(firstString, schema);

export const announcementSchema = z.object({
  audience: text(z.string({ error: 'Choose who receives it.' }).regex(/^(all|\d{1,9})$/, 'Choose everyone or one section.')),
  subject: text(z.string({ error: 'Write a subject.' }).min(1, 'Write a subject.').max(200, 'Keep the subject under 200 characters.')),
  body: text(z.string({ error: 'Write the announcement.' }).min(1, 'Write the announcement.').max(20_000, 'Keep the announcement under 20,000 characters.')),
  nonce: text(z.uuid('This form has expired: reload the page and try again.')),
});
export type AnnouncementInput = z.infer<typeof announcementSchema>;
