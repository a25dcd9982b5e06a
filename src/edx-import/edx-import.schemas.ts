import { z } from 'zod';
import { firstString } from '../http/forms';

/** Forms and path parameters of the edX import pages. */
export const MAX_REPORT_BYTES = 25 * 1024 * 1024;

const field = <T extends z.ZodType>(schema: T) => z.preprocess(firstString, schema);

/** The upload form; `report` is whether a file came with it ('' when none), filled in by the route from the upload. */
export const uploadSchema = z.object({
  edxCourseId: field(z.coerce.number({ error: 'Choose the edX course this report is from.' }).int().positive('Choose the edX course this report is from.')),
  report: z.string().min(1, 'Choose the grade report CSV file downloaded from edX.'),
});

export const linkSchema = z.object({
  username: field(z.string({ error: 'The edX username is missing.' }).min(1, 'The edX username is missing.').max(150, 'That is not an edX username.')),
  userId: field(z.coerce.number({ error: 'Choose the student this edX learner is.' }).int().positive('Choose the student this edX learner is.')),
});
