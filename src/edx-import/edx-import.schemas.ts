import { z } from 'zod';
import { firstString } from '../http/forms';

/** Forms and path parameters of the edX import pages. */
export const MAX_REPORT_BYTES = 25 * 1024 * 1024;

const field = <T extends z.ZodType>(schema: T) => z.preprocess(firstString, schema);

export const uploadSchema = z.object({
  edxCourseId: field(z.coerce.number({ error: 'Choose the edX course this report is from.' }).int().positive('Choose the edX course this report is from.')),
});

export const linkSchema = z.object({
  username: field(z.string({ error: 'The edX username is missing.' }).min(1, 'The edX username is missing.').max(150, 'That is not an edX username.')),
  userId: field(z.coerce.number({ error: 'Choose the student this edX learner is.' }).int().positive('Choose the student this edX learner is.')),
});
