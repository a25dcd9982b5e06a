import { DateTime } from 'luxon';
import { z } from 'zod';
import { baseVersionField, firstString } from '../http/forms';

/** The forms of the progressions module: a partnership, and a dated assessment. */
/** A form text value: first of duplicates, trimmed (control characters are refused by parseForm, src/http/text-hygiene.ts). */
const text = <T extends z.ZodType>(schema: T) => z.preprocess(firstString, schema);
const asList = (v: unknown) => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : [v]);

export const partnershipSchema = z.object({
  name: text(z.string({ error: 'Name the partnership.' }).min(1, 'Name the partnership.').max(120, 'Use at most 120 characters.')),
  ihe: text(
    z
      .string({ error: 'Name the institution of higher education (IHE).' })
      .min(1, 'Name the institution of higher education (IHE).')
      .max(200, 'Use at most 200 characters.'),
  ),
  lea: text(
    z.string({ error: 'Name the local education agency (LEA).' }).min(1, 'Name the local education agency (LEA).').max(200, 'Use at most 200 characters.'),
  ),
  members: z.preprocess(
    asList,
    z
      .array(
        z.coerce
          .number({ error: 'Choose members from the list.' })
          .int('Choose members from the list.')
          .positive('Choose members from the list.')
          .max(2_147_483_647, 'Choose members from the list.'),
        {
          error: 'Choose members from the list.',
        },
      )
      .min(1, 'Choose at least one member.')
      .max(100, 'Choose at most 100 members.')
      .transform((ids) => [...new Set(ids)]),
  ),
});

export type PartnershipInput = z.infer<typeof partnershipSchema>;

/** 0 is "not yet started"; 1–4 are the stages of the rubric. */
export const STAGE_CHOICES = ['0', '1', '2', '3', '4'] as const;
export const EVIDENCE_MAX = 4000;
const EARLIEST_ON = '2000-01-01';

export interface AssessmentInput {
  assessedOn: string;
  copiedFrom: number | null;
  /** The partnership's latest assessment when the form was opened ('' before the first). */
  base: string;
  entries: { number: number; stage: number; evidence: string; nextSteps: string }[];
}

export const assessmentField = {
  stage: (n: number) => `stage_${n}`,
  evidence: (n: number) => `evidence_${n}`,
  nextSteps: (n: number) => `nextSteps_${n}`,
};

/**
 * The assessment form for a rubric with these objective numbers: a date (not after `today`, the
 * user's local date), and per objective a stage, an evidence note (needed once work has started)
 * and optional next steps.
 */
export function assessmentSchema(objectiveNumbers: number[], today: string) {
  const shape: Record<string, z.ZodType> = {
    assessedOn: text(
      z
        .string({ error: 'Enter the date of this assessment.' })
        .regex(/^\d{4}-\d{2}-\d{2}$/, 'Enter the date as YYYY-MM-DD.')
        .refine((v) => DateTime.fromISO(v).isValid, 'That is not a real date.')
        .refine((v) => v >= EARLIEST_ON, 'Enter a date from 2000 on.')
        .refine((v) => v <= today, 'The date cannot be in the future.'),
    ),
    copiedFrom: z.preprocess(
      (v) => (firstString(v) === '' ? undefined : firstString(v)),
      z.coerce.number({ error: 'That copy is not available.' }).int().positive().max(2_147_483_647).optional(),
    ),
    base_version: baseVersionField,
  };
  for (const n of objectiveNumbers) {
    shape[assessmentField.stage(n)] = text(z.enum(STAGE_CHOICES, { error: `Objective ${n}: choose a stage from 1 to 4, or “Not yet started”.` }));
    shape[assessmentField.evidence(n)] = z.preprocess(
      (v) => firstString(v) ?? '',
      z.string({ error: `Objective ${n}: the evidence must be text.` }).max(EVIDENCE_MAX, `Objective ${n}: use at most ${EVIDENCE_MAX} characters.`),
    );
    shape[assessmentField.nextSteps(n)] = z.preprocess(
      (v) => firstString(v) ?? '',
      z.string({ error: `Objective ${n}: the next steps must be text.` }).max(EVIDENCE_MAX, `Objective ${n}: use at most ${EVIDENCE_MAX} characters.`),
    );
  }
  return z
    .object(shape)
    .superRefine(
      (v, ctx) => {
        // Runs even when other fields failed, so one submission shows every problem.
        for (const n of objectiveNumbers) {
          const stage = String(v?.[assessmentField.stage(n)] ?? '');
          const evidence = v?.[assessmentField.evidence(n)];
          if (['1', '2', '3', '4'].includes(stage) && (typeof evidence !== 'string' || evidence === '')) {
            ctx.addIssue({ code: 'custom', path: [assessmentField.evidence(n)], message: `Objective ${n}: note the evidence for this stage.` });
          }
        }
      },
      { when: () => true },
    )
    .transform((v): AssessmentInput => ({
      assessedOn: v.assessedOn as string,
      copiedFrom: (v.copiedFrom as number | undefined) ?? null,
      base: v.base_version as string,
      entries: objectiveNumbers.map((n) => ({
        number: n,
        stage: Number(v[assessmentField.stage(n)]),
        evidence: v[assessmentField.evidence(n)] as string,
        nextSteps: v[assessmentField.nextSteps(n)] as string,
      })),
    }));
}

export const compareSchema = z.object({
  from: z.preprocess(firstString, z.coerce.number().int().positive().optional()),
  to: z.preprocess(firstString, z.coerce.number().int().positive().optional()),
});
