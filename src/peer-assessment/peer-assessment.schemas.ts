import { z } from 'zod';
import { firstString } from '../http/forms';

/**
 * The peer assessment form: four short structured answers and free text. A draft may leave
 * answers empty; submitting needs the four structured answers.
 */
const MAX = 10_000;
const text = (label: string) => z.preprocess((v) => firstString(v) ?? '', z.string().max(MAX, `Keep ${label} under 10,000 characters.`));

export const ANSWER_FIELDS = {
  collegial_interactions: 'collegial interactions',
  work_products: 'quality of work products',
  strength: 'one strength',
  suggestion: 'one suggestion',
} as const;

export const assessmentSchema = z
  .object({
    collegial_interactions: text('collegial interactions'),
    work_products: text('the quality of work products'),
    strength: text('the strength'),
    suggestion: text('the suggestion'),
    comments: text('your further comments'),
    action: z.preprocess((v) => firstString(v) ?? 'draft', z.enum(['draft', 'submit'], { error: 'Choose save draft or submit.' })),
  })
  .superRefine((v, ctx) => {
    if (v.action !== 'submit') return;
    for (const [field, label] of Object.entries(ANSWER_FIELDS)) {
      if (!v[field as keyof typeof ANSWER_FIELDS])
        ctx.addIssue({ code: 'custom', path: [field], message: `Write about ${label} before submitting (or save a draft).` });
    }
  });

export type AssessmentInput = z.infer<typeof assessmentSchema>;

/** The instructor's assignment actions. */
export const assignSchema = z.object({
  seed: z.preprocess(
    (v) => firstString(v) ?? '',
    z
      .string()
      .max(64, 'Keep the seed under 64 characters.')
      .regex(/^[\w.:-]*$/, 'Use letters, digits, - _ . : only.'),
  ),
});

export const swapSchema = z.object({
  assessor: z.preprocess((v) => firstString(v) ?? '', z.string().min(1, 'Enter the assessor’s email.').max(320)),
  assessee: z.preprocess((v) => firstString(v) ?? '', z.string().min(1, 'Enter the email of the colleague they should assess.').max(320)),
});

export const pageQuerySchema = z.object({
  page: z.preprocess(firstString, z.coerce.number().int().min(1).max(1_000_000)).catch(1),
});
