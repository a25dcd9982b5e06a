import { z } from 'zod';
import { baseVersionField, firstString } from '../http/forms';
import { recordId } from '../http/params';

export const studyGuideSchema = z.object({
  guide_body: z.preprocess(firstString, z.string().max(200_000, 'Keep the study guide under 200,000 characters (attach a file for more).')).default(''),
  remove_attachment: z.preprocess((v) => firstString(v) === 'on', z.boolean()),
  base_version: baseVersionField,
});

export const guideParams = z.object({ guideId: recordId });
export const guideVersionParams = z.object({ guideId: recordId, versionNo: recordId });
