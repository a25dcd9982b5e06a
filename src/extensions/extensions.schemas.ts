import { DateTime } from 'luxon';
import { z } from 'zod';
import { firstString } from '../http/forms';

/** The extension forms. Dates are local dates in the course's zone (America/Detroit). */
/** A text field: first of duplicates, trimmed (control characters are refused by parseForm, src/http/text-hygiene.ts). */
export const cleanText = (v: unknown) => firstString(v) ?? '';
const text = <T extends z.ZodType>(schema: T) => z.preprocess(cleanText, schema);

export const localDate = (missing: string) =>
  z
    .string()
    .min(1, missing)
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'Enter the date as YYYY-MM-DD, for example 2020-03-04.')
    .refine((v) => DateTime.fromISO(v).isValid, 'That date does not exist.');

export const requestSchema = z.object({
  reason: text(z.string().min(1, 'Tell the instructor why you need more time.').max(4000, 'Keep the reason under 4,000 characters.')),
  proposed_due_on: text(localDate('Propose a new due date.')),
});

export type RequestInput = z.infer<typeof requestSchema>;

export const decisionSchema = z
  .object({
    decision: text(z.enum(['approve', 'decline'], { error: 'Choose approve or decline.' })),
    granted_due_on: text(z.string()),
    message: text(z.string().max(4000, 'Keep the message under 4,000 characters.')),
  })
  .superRefine((v, ctx) => {
    if (v.decision === 'decline' && !v.message) ctx.addIssue({ code: 'custom', path: ['message'], message: 'Tell the student why you are declining.' });
    if (v.decision === 'approve') {
      const date = localDate('Enter the new due date.').safeParse(v.granted_due_on);
      if (!date.success) ctx.addIssue({ code: 'custom', path: ['granted_due_on'], message: date.error.issues[0].message });
    }
  });

export type DecisionInput = z.infer<typeof decisionSchema>;

/** The instructor grants an extension without a request (an accommodation, an illness). */
const id = (missing: string) =>
  z.preprocess(
    (v) => firstString(v) ?? '',
    z
      .string()
      .regex(/^[1-9]\d{0,9}$/, missing)
      .transform(Number)
      .refine((n) => n <= 2_147_483_647, missing),
  );

export const grantSchema = z.object({
  student: id('Choose the student.'),
  portfolio: id('Choose the portfolio.'),
  reason: text(
    z
      .string()
      .trim()
      .min(1, 'Record why you are granting it (kept with the extension and sent to the student).')
      .max(4000, 'Keep the reason under 4,000 characters.'),
  ),
  granted_due_on: text(localDate('Enter the new due date.')),
});

export type GrantInput = z.infer<typeof grantSchema>;

/** The grant form opened from a gradebook row comes with the student and portfolio chosen. */
export const grantQuerySchema = z.object({
  student: z.preprocess(firstString, z.coerce.number().int().positive().max(2_147_483_647).nullable()).catch(null),
  portfolio: z.preprocess(firstString, z.coerce.number().int().positive().max(2_147_483_647).nullable()).catch(null),
});

export const STATUS_FILTERS = ['pending', 'approved', 'declined', 'withdrawn', 'all'] as const;
export const listFilterSchema = z.object({ status: z.preprocess((v) => firstString(v) || 'pending', z.enum(STATUS_FILTERS).catch('pending')) });
