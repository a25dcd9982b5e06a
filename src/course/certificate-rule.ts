import { z } from 'zod';

/**
 * What the MichiganX certificate asks of a student in this offering, as course data
 * (`certificate` in seeds/courses/*.json, stored on course_offering.certificate_rule). Each
 * requirement applies to every edX course of the offering:
 *   components         every lesson component marked done, in every lesson
 *   study_guide        a study guide for every lesson
 *   team_artifact      a Team Practice artifact for every lesson
 *   portfolio_complete the latest portfolio submission has every item
 *   portfolio_s        the portfolio is graded S
 *   edx_passed         where an edX grade report was imported: listed in it, enrolled, and a
 *                      course grade of at least edxMinimumGrade
 * A course file without `certificate` asks for all of them (syllabus section 7: "all
 * requirements"; Appendices A and B: "all the assignments and tasks in all lessons").
 */
export const CERTIFICATE_REQUIREMENTS = ['components', 'study_guide', 'team_artifact', 'portfolio_complete', 'portfolio_s', 'edx_passed'] as const;
export type CertificateRequirement = (typeof CERTIFICATE_REQUIREMENTS)[number];

/** edX's own pass mark is set on edX, not in its report: the course file states it. */
export const DEFAULT_EDX_MINIMUM_GRADE = 0.7;

export const certificateRuleSchema = z
  .object({
    requires: z
      .array(z.enum(CERTIFICATE_REQUIREMENTS))
      .refine((r) => new Set(r).size === r.length, 'list each requirement once')
      .default([...CERTIFICATE_REQUIREMENTS]),
    edxMinimumGrade: z.number().min(0).max(1).default(DEFAULT_EDX_MINIMUM_GRADE),
  })
  .strict();

export type CertificateRule = z.infer<typeof certificateRuleSchema>;

export const DEFAULT_CERTIFICATE_RULE: CertificateRule = Object.freeze({ requires: [...CERTIFICATE_REQUIREMENTS], edxMinimumGrade: DEFAULT_EDX_MINIMUM_GRADE });

/** The stored rule (jsonb) as a rule; anything unreadable falls back to the strict default. */
export function certificateRuleOf(stored: unknown): CertificateRule {
  const parsed = certificateRuleSchema.safeParse(stored ?? {});
  return parsed.success ? parsed.data : DEFAULT_CERTIFICATE_RULE;
}
