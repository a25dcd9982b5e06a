import crypto from 'node:crypto';
import type { TestApp } from './test-app';
import { samplePng } from './sample-files';

/**
 * Lesson work owned by one student, for the security matrix: a study guide (version 1, with a file),
 * an Enrichment entry and a Celebrate Success share on `unitId`; plus the student's Lesson 02 team
 * (seeded "Reason and Rationality") and the first lesson component.
 */
export async function lessonWorkFixture(t: TestApp, userId: number, unitId: number) {
  const db = t.db;
  const at = new Date('2020-01-20T15:00:00Z');
  const png = samplePng();
  const attachment = await db
    .insertInto('attachment')
    .values({
      owner_user_id: userId,
      original_name: 'diagram.png',
      content_type: 'image/png',
      byte_size: png.length,
      sha256: crypto.createHash('sha256').update(png).digest('hex'),
      content: png,
      created_at: at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const guide = await db
    .insertInto('study_guide')
    .values({ user_id: userId, unit_id: unitId, created_at: at, deleted_at: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('study_guide_version')
    .values({ study_guide_id: guide.id, version_no: 1, body_md: 'Key terms', attachment_id: attachment.id, created_at: at })
    .execute();
  const entry = await db
    .insertInto('enrichment_entry')
    .values({
      user_id: userId,
      unit_id: unitId,
      kind: 'web_exploration',
      title: 'A site',
      url: 'https://example.org/',
      citation: null,
      created_at: at,
      deleted_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const share = await db
    .insertInto('celebrate_share')
    .values({ user_id: userId, unit_id: unitId, body: 'A walk', created_at: at, deleted_at: null, hidden_at: null, hidden_by: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  // A second share for the instructor's moderation routes (the first is deleted by its author in the matrix).
  const shareToModerate = await db
    .insertInto('celebrate_share')
    .values({ user_id: userId, unit_id: unitId, body: 'Cooking', created_at: at, deleted_at: null, hidden_at: null, hidden_by: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  const team = await db.selectFrom('team').select('id').where('name', '=', 'Reason and Rationality').executeTakeFirstOrThrow();
  const component = await db.selectFrom('lesson_component').select('id').orderBy('position').executeTakeFirstOrThrow();
  return {
    studyGuide: guide.id,
    attachment: attachment.id,
    enrichmentEntry: entry.id,
    celebrateShare: share.id,
    shareToModerate: shareToModerate.id,
    team: team.id,
    component: component.id,
  };
}
