import { z } from 'zod';
import { normalizeEmail, normalizeName } from '../accounts/identity';
import { passwordSchema } from '../accounts/accounts.schemas';
import { firstString } from '../http/forms';
import { isValidZone } from '../time';
import { isCountryCode } from '../countries';

const text = <T extends z.ZodType>(schema: T) => z.preprocess(firstString, schema);

/** /join/CODE: who is joining. Names and addresses are normalized before anything compares or stores them. */
export const joinSchema = z.object({
  name: text(
    z
      .string({ error: 'Enter your name.' })
      .transform(normalizeName)
      .pipe(z.string().min(1, 'Enter your name.').max(200, 'Use at most 200 characters for your name.')),
  ),
  email: text(
    z
      .string({ error: 'Enter your email address.' })
      .transform(normalizeEmail)
      .pipe(z.email('Enter a valid email address, like name@example.org.').max(320, 'Use at most 320 characters for the email address.')),
  ),
  timeZone: text(z.string({ error: 'Choose your time zone.' }).refine(isValidZone, 'Choose your time zone from the list.')),
  country: text(
    z
      .string({ error: 'Choose your country.' })
      .transform((c) => c.trim().toUpperCase())
      .refine(isCountryCode, 'Choose your country from the list.'),
  ),
});

/** The confirmation page: the password, as for an invitation. */
export const confirmJoinSchema = passwordSchema;

const optionalText = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (firstString(v) ?? '').toString().trim() || undefined, schema.optional());

/** The roster page's "make a join link" form: a label, and optional limits. */
export const joinLinkSchema = z.object({
  label: z.preprocess((v) => normalizeName(String(firstString(v) ?? '')), z.string().max(100, 'Use at most 100 characters for the label.')),
  maxUses: optionalText(
    z.coerce
      .number({ error: 'Enter a whole number of people, or leave it empty for no limit.' })
      .int('Enter a whole number of people, or leave it empty for no limit.')
      .min(1, 'Allow at least 1 person, or leave it empty for no limit.')
      .max(1_000_000, 'Use at most 1,000,000, or leave it empty for no limit.'),
  ),
  expiresOn: optionalText(z.iso.date({ error: 'Enter the last day as a date (YYYY-MM-DD), or leave it empty for no end.' })),
});

export const communityPageQuery = z.object({
  page: z.preprocess((v) => firstString(v) ?? '1', z.coerce.number().int().min(1).max(100_000).catch(1)),
});
