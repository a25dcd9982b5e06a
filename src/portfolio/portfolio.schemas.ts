import { z } from 'zod';
import { baseVersionField, firstString } from '../http/forms';

/** The forms on the portfolio page: the personal reflection, and submitting (with confirmation). */
export const reflectionSchema = z.object({
  reflection_body: z.preprocess(
    (v) => firstString(v) ?? '', // control characters are refused by parseForm (src/http/text-hygiene.ts)
    z.string().min(1, 'Write your reflection before saving it.').max(50_000, 'Keep the reflection under 50,000 characters.'),
  ),
  base_version: baseVersionField,
});

/** `confirm=yes` is sent by the "Submit anyway" button after the list of missing items. */
export const submitSchema = z.object({
  confirm: z.preprocess((v) => firstString(v) === 'yes', z.boolean()),
});
