import { z } from 'zod';
import { normalizeEmail, normalizeName } from '../accounts/identity';
import { firstString } from '../http/forms';
import { isValidZone } from '../time';

/** The instructor's form correcting one student's name, email, section and time zone. */
export const studentEditSchema = z.object({
  name: z.preprocess(
    firstString,
    z
      .string({ error: 'Enter the student’s name.' })
      .transform(normalizeName)
      .pipe(z.string().min(1, 'Enter the student’s name.').max(200, 'Use at most 200 characters for the name.')),
  ),
  email: z.preprocess(
    firstString,
    z
      .string({ error: 'Enter an email address.' })
      .transform(normalizeEmail)
      .pipe(z.email('Enter a valid email address, like name@umich.edu.').max(320, 'Use at most 320 characters for the email address.')),
  ),
  section: z.preprocess(firstString, z.coerce.number({ error: 'Choose a section.' }).int('Choose a section.').positive('Choose a section.')),
  timeZone: z.preprocess(firstString, z.string({ error: 'Choose a time zone.' }).refine(isValidZone, 'Choose an IANA time zone such as America/Detroit.')),
});

export type StudentEdit = z.infer<typeof studentEditSchema>;
