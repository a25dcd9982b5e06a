import { z } from 'zod';
import { baseVersionField, firstString } from '../http/forms';
import { recordId } from '../http/params';

export const startTeamSchema = z.object({
  team_name: z.preprocess(
    firstString,
    z.string({ error: 'Give your team a name.' }).min(1, 'Give your team a name.').max(80, 'Keep the team name under 80 characters.'),
  ),
});

export const joinTeamSchema = z.object({ team_id: z.preprocess(firstString, recordId) });

export const artifactSchema = z.object({
  artifact_body: z.preprocess(firstString, z.string().max(200_000, 'Keep the team artifact under 200,000 characters (attach a file for more).')).default(''),
  remove_attachment: z.preprocess((v) => firstString(v) === 'on', z.boolean()),
  base_version: baseVersionField,
});

export const teamParams = z.object({ teamId: recordId });
