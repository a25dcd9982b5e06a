import { z } from 'zod';
import { baseVersionField, firstString } from '../http/forms';
import { recordId } from '../http/params';

/** One schema per form on the lesson page. Field names are unique across the page's forms. */
const text = (schema: z.ZodString) => z.preprocess(firstString, schema);

export const unitParams = z.object({ unitId: recordId });

export const componentToggleSchema = z.object({
  done: text(z.string()).pipe(z.enum(['1', '0'], { error: 'Choose done or not done.' })),
});

export const learningCheckSchema = z.object({
  understanding: text(
    z.string({ error: 'Write what you understand now.' }).min(1, 'Write what you understand now.').max(20_000, 'Keep this under 20,000 characters.'),
  ),
  strengths: text(
    z.string({ error: 'Name the strengths of this lesson.' }).min(1, 'Name the strengths of this lesson.').max(20_000, 'Keep this under 20,000 characters.'),
  ),
  weaknesses: text(
    z.string({ error: 'Name the weaknesses of this lesson.' }).min(1, 'Name the weaknesses of this lesson.').max(20_000, 'Keep this under 20,000 characters.'),
  ),
  base_version: baseVersionField,
});

export const noteSchema = z.object({
  note_body: text(z.string().max(20_000, 'Keep your note under 20,000 characters.')).default(''),
});

const httpUrl = z.url({ error: 'Enter a web address starting with http:// or https://.', protocol: /^https?$/ }).max(2000, 'That web address is too long.');

export const enrichmentSchema = z
  .object({
    enrichment_kind: text(z.string()).pipe(z.enum(['web_exploration', 'reference'], { error: 'Choose web exploration or reference.' })),
    enrichment_title: text(
      z.string({ error: 'Give the resource a title.' }).min(1, 'Give the resource a title.').max(300, 'Keep the title under 300 characters.'),
    ),
    enrichment_url: text(z.string())
      .pipe(z.union([z.literal(''), httpUrl]))
      .default(''),
    enrichment_citation: text(z.string().max(2000, 'Keep the citation under 2,000 characters.')).default(''),
  })
  .refine((v) => v.enrichment_url !== '' || v.enrichment_citation !== '', {
    path: ['enrichment_url'],
    message: 'Add a web address or a citation.',
  });

export const celebrateSchema = z.object({
  celebrate_body: text(z.string({ error: 'Write how you unwind.' }).min(1, 'Write how you unwind.').max(500, 'Keep your share under 500 characters.')),
});
