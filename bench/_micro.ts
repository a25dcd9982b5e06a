import { postgresDatabase } from '../src/db/connect';
import { thisWeek } from '../src/home/this-week.service';
import { courseCache } from '../src/course/course-cache';
import { deadlineFactsRead } from '../src/portfolio/deadlines';
import { progressRepository, outlineOf } from '../src/progress/progress.repository';
import { checklistsReadFor } from '../src/progress/progress';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
(async () => {
  const h = postgresDatabase(process.env.DATABASE_URL!, 10);
  const u = await h.db.selectFrom('app_user').selectAll().where('email', '=', 'learner1@scale.example').executeTakeFirstOrThrow();
  const reader = { id: u.id, offeringId: u.offering_id, timeZone: u.time_zone };
  const now = new Date('2020-02-12T15:00:00Z');
  const course = await courseCache.current(h.db, u.offering_id);
  const outline = outlineOf(course);
  const refs = course.requirements.map((r) => ({ requirementId: r.id, edxCourseId: r.edx_course_id }));
  const N = 2000;
  for (const [name, fn] of [
    ['build+compile 3 reads', async () => {
      const reads = { facts: deadlineFactsRead(h.db, reader.id), counts: progressRepository.completionCountsRead(h.db, [reader.id], outline.lessons.map((l) => l.unitId)), checklists: checklistsReadFor(h.db, course, refs, [reader.id]) };
      h.db.selectNoFrom(Object.entries(reads).map(([k, r]) => jsonArrayFrom(r.query).as(k))).compile();
    }],
    ['outlineOf', async () => { outlineOf(course); }],
    ['thisWeek (with db)', async () => { await thisWeek(h.db, reader, now); }],
    ['select 1 round trip', async () => { await h.db.selectFrom('course_data_version').select('version').where('id', '=', 1).execute(); }],
  ] as const) {
    if (process.env.ONLY && !name.startsWith(process.env.ONLY)) continue;
    for (let i = 0; i < 200; i++) await fn();
    const c0 = process.cpuUsage(); const t0 = performance.now();
    for (let i = 0; i < N; i++) await fn();
    const c = process.cpuUsage(c0); const t = performance.now() - t0;
    console.log(`${name}: cpu ${((c.user + c.system) / 1000 / N).toFixed(3)} ms/op (user ${(c.user / 1000 / N).toFixed(3)}, sys ${(c.system / 1000 / N).toFixed(3)}), wall ${(t / N).toFixed(3)} ms/op`);
  }
  await h.close();
})();
