import { z } from 'zod';
import { baseVersionField, firstString } from '../http/forms';

/** The grading form: S or U, with written feedback for the student (optional for S; a U must say why). */
export const gradeSchema = z
  .object({
    grade: z.preprocess((v) => firstString(v) ?? '', z.enum(['S', 'U'], { error: 'Choose S (satisfactory) or U (unsatisfactory).' })),
    feedback: z.preprocess((v) => firstString(v) ?? '', z.string().max(20_000, 'Keep the feedback under 20,000 characters.')),
    base_version: baseVersionField,
  })
  .superRefine((v, ctx) => {
    if (v.grade === 'U' && !v.feedback.trim()) {
      ctx.addIssue({
        code: 'custom',
        path: ['feedback'],
        message: 'A U needs feedback: tell the student why the portfolio is unsatisfactory and what would make it satisfactory.',
      });
    }
  });

export type GradeInput = z.infer<typeof gradeSchema>;

/** The gradebook's filters and page. A bad value falls back to its default. */
export const STATUS_FILTERS = ['not_submitted', 'submitted', 'late', 'extension', 'ungraded', 'S', 'U'] as const;
export type StatusFilter = (typeof STATUS_FILTERS)[number];

const q = <T extends z.ZodType>(schema: T) => z.preprocess(firstString, schema);

export const gradebookQuerySchema = z.object({
  section: q(z.coerce.number().int().positive().max(2_147_483_647).nullable()).catch(null),
  status: q(z.enum(STATUS_FILTERS).nullable()).catch(null),
  portfolio: q(z.coerce.number().int().positive().max(2_147_483_647).nullable()).catch(null),
  page: q(z.coerce.number().int().min(1).max(1_000_000)).catch(1),
});

export type GradebookQuery = z.infer<typeof gradebookQuerySchema>;
