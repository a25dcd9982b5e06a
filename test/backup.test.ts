import { exportLines, importLines } from '../src/backup/backup.service';
import { emptyDatabase } from './helpers/db';
import { startTestApp, type TestApp } from './helpers/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

async function collect(gen: AsyncGenerator<string>): Promise<string[]> {
  const lines: string[] = [];
  for await (const l of gen) lines.push(l);
  return lines;
}

test('an export restores into an empty database and exports again identically', async () => {
  // Some activity beyond the seed, including bytes and JSON.
  const s = await t.login('student1@cohort.example');
  await s.post('/settings', { timeZone: 'Europe/Paris', meetingReminders: 'on' });
  const user = await t.db.selectFrom('app_user').select('id').where('email', '=', 'student1@cohort.example').executeTakeFirstOrThrow();
  await t.db
    .insertInto('attachment')
    .values({
      owner_user_id: user.id,
      original_name: 'guide.pdf',
      content_type: 'application/pdf',
      byte_size: 5,
      sha256: 'x',
      content: Buffer.from([0x25, 0x50, 0x44, 0x46, 0x00]),
    })
    .execute();

  const at = new Date('2020-02-01T00:00:00Z');
  const first = await collect(exportLines(t.db, at));
  expect(first.length).toBeGreaterThan(50);
  const header = JSON.parse(first[0]);
  expect(header.tables).toEqual(expect.arrayContaining(['course_offering', 'app_user', 'calendar_event', 'attachment']));
  expect(header.tables.indexOf('course_offering')).toBeLessThan(header.tables.indexOf('app_user'));

  const target = await emptyDatabase();
  try {
    const counts = await importLines(target.db, first);
    expect(counts.app_user).toBe(13);
    const second = await collect(exportLines(target.db, at));
    expect(second).toEqual(first);
    const restored = await target.db.selectFrom('attachment').select('content').executeTakeFirstOrThrow();
    expect(Buffer.from(restored.content)).toEqual(Buffer.from([0x25, 0x50, 0x44, 0x46, 0x00]));
    // New rows continue after the restored ids.
    const offering = await target.db.selectFrom('course_offering').select('id').executeTakeFirstOrThrow();
    const next = await target.db
      .insertInto('section')
      .values({ offering_id: offering.id, code: 'EDUC 999', title: 'Test' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const maxBefore = Math.max(...first.filter((l) => l.startsWith('{"t":"section"')).map((l) => JSON.parse(l).r.id));
    expect(next.id).toBe(maxBefore + 1);
    // Importing again into a non-empty database is refused, and changes nothing.
    await expect(importLines(target.db, first)).rejects.toThrow(/not empty/);
  } finally {
    await target.close();
  }
});
