import { sql } from 'kysely';
import { migrateToLatest } from '../src/db/migrate';
import type { DatabaseHandle } from '../src/db/connect';
import type { UntypedDb } from '../src/db/database';
import { emptyDatabase } from './helpers/db';

/**
 * Migrations 0140 (rubric cell status) and 0141 (campus meeting hours) on a database as the
 * release before them left it: migrated up to 0130, with rows written the old way.
 */
let handle: DatabaseHandle;
let db: DatabaseHandle['db'];

beforeAll(async () => {
  handle = await emptyDatabase({ upTo: '0130_certificate_rule' });
  db = handle.db;
  const old = db as unknown as UntypedDb;
  const { id: offeringId } = await old
    .insertInto('course_offering')
    .values({
      slug: 'educ-551-639-winter-2020',
      code: 'EDUC 551/639',
      title: 'Engaging Educational Innovation and Improvement',
      term: 'Winter 2020',
      time_zone: 'America/Detroit',
      meeting_weekday: 1,
      meeting_starts: '17:00',
      meeting_ends: '20:00',
      open_room_starts: '17:00',
      open_room_ends: '19:00',
      location: '4212 School of Education Building',
      instructor_name: 'Donald J. Peurach',
      instructor_email: 'dpeurach@umich.edu',
      starts_on: '2020-01-06',
      ends_on: '2020-04-22',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const meeting = (uid: string, title: string, description: string, startsAt: string, endsAt: string, required: boolean) => ({
    offering_id: offeringId,
    uid,
    kind: 'campus_meeting',
    title,
    description,
    starts_at: new Date(startsAt),
    ends_at: new Date(endsAt),
    required,
    location: '4212 School of Education Building',
  });
  await old
    .insertInto('calendar_event')
    .values([
      // As the old loader wrote them: the registrar's 17:00–20:00 slot.
      meeting(
        'm-feb-24',
        'LeadEd502x · Complete outstanding work/compile portfolio (campus meeting required)',
        'Campus meeting: attendance required.',
        '2020-02-24T22:00:00Z',
        '2020-02-25T01:00:00Z',
        true,
      ),
      meeting(
        'm-mar-09',
        'LeadEd503x · Course Kickoff and Lesson 01 (campus meeting required)',
        'Campus meeting: attendance required.',
        '2020-03-09T21:00:00Z',
        '2020-03-10T00:00:00Z',
        true,
      ),
      meeting(
        'm-mar-16',
        'LeadEd503x · Lesson 02 (campus meeting optional)',
        'Campus meeting: optional. The room is open 17:00–19:00 for questions, discussion and Team Practice.',
        '2020-03-16T21:00:00Z',
        '2020-03-17T00:00:00Z',
        false,
      ),
      // One the instructor moved to 18:00–20:00 and described: it keeps its time and words.
      meeting(
        'm-mar-23',
        'LeadEd503x · Lesson 03 (campus meeting required)',
        'Moved an hour later this week.',
        '2020-03-23T22:00:00Z',
        '2020-03-24T00:00:00Z',
        true,
      ),
    ])
    .execute();

  // The rubric as 0050 stored it: a cut-short cell had no text (gap 'cut short'), like an empty one.
  const { id: rubricId } = await old
    .insertInto('progression_rubric')
    .values({ key: 'ilead-draft-02-18', label: 'draft 02/18', title: 'iLEAD Developmental Progressions', source: 'Carnegie' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const { id: groupId } = await old
    .insertInto('progression_group')
    .values({ rubric_id: rubricId, key: 'ihe', name: 'The IHE', position: 1 })
    .returning('id')
    .executeTakeFirstOrThrow();
  const objectives = await old
    .insertInto('progression_objective')
    .values([
      { rubric_id: rubricId, group_id: groupId, number: 8, title: 'Scholarship of Improvement' },
      { rubric_id: rubricId, group_id: groupId, number: 9, title: 'IHE as a Support Hub' },
    ])
    .returning(['id', 'number'])
    .execute();
  const [o8, o9] = objectives;
  await old
    .insertInto('progression_descriptor')
    .values([
      { objective_id: o8.id, stage: 1, body: null, gap: 'cut short' },
      { objective_id: o8.id, stage: 2, body: 'Faculty attend the Improvement Summit.', gap: null },
      { objective_id: o9.id, stage: 1, body: null, gap: 'empty' },
    ])
    .execute();

  await migrateToLatest(db);
}, 60_000);

afterAll(() => handle.close());

test('0141: meetings at the old 17:00–20:00 end at 19:00 local on both sides of DST, titled without the badge', async () => {
  const rows = await db.selectFrom('calendar_event').select(['uid', 'title', 'description', 'starts_at', 'ends_at', 'sequence']).orderBy('starts_at').execute();
  const byUid = new Map(rows.map((r) => [r.uid, r]));
  const times = (uid: string) => [byUid.get(uid)!.starts_at.toISOString(), byUid.get(uid)!.ends_at!.toISOString()];
  expect(times('m-feb-24')).toEqual(['2020-02-24T22:00:00.000Z', '2020-02-25T00:00:00.000Z']); // 17:00–19:00 EST
  expect(times('m-mar-09')).toEqual(['2020-03-09T21:00:00.000Z', '2020-03-09T23:00:00.000Z']); // 17:00–19:00 EDT
  expect(times('m-mar-16')).toEqual(['2020-03-16T21:00:00.000Z', '2020-03-16T23:00:00.000Z']);
  expect(times('m-mar-23')).toEqual(['2020-03-23T22:00:00.000Z', '2020-03-24T00:00:00.000Z']); // moved by the instructor: kept
  expect(byUid.get('m-feb-24')!.sequence).toBe(1); // subscribed calendars take the change
  expect(byUid.get('m-mar-23')!.sequence).toBe(0);

  expect(byUid.get('m-mar-09')!.title).toBe('Campus meeting: LeadEd503x · Course Kickoff and Lesson 01');
  expect(byUid.get('m-mar-16')!.title).toBe('Campus meeting: LeadEd503x · Lesson 02');
  expect(byUid.get('m-mar-09')!.description).toBe("Attendance required, 5:00–7:00 pm. (The registrar's slot is 5:00–8:00 pm; the class meets 5:00–7:00 pm.)");
  expect(byUid.get('m-mar-16')!.description).toMatch(/^Optional\. The room is open 5:00–7:00 pm for questions/);
  expect(byUid.get('m-mar-23')!.description).toBe('Moved an hour later this week.');

  const offering = await db.selectFrom('course_offering').selectAll().executeTakeFirstOrThrow();
  expect([offering.meeting_starts, offering.meeting_ends, offering.registrar_slot_starts, offering.registrar_slot_ends]).toEqual([
    '17:00',
    '19:00',
    '17:00',
    '20:00',
  ]);
  expect(offering).not.toHaveProperty('open_room_starts');
});

test('0140: the cut-short cell gets the draft’s fragment and status incomplete; the empty one stays empty', async () => {
  const cells = await db
    .selectFrom('progression_descriptor as d')
    .innerJoin('progression_objective as o', 'o.id', 'd.objective_id')
    .select(['o.number', 'd.stage', 'd.body', 'd.status'])
    .orderBy('o.number')
    .orderBy('d.stage')
    .execute();
  expect(cells).toEqual([
    { number: 8, stage: 1, body: 'courses and programs.', status: 'incomplete' },
    { number: 8, stage: 2, body: 'Faculty attend the Improvement Summit.', status: 'complete' },
    { number: 9, stage: 1, body: null, status: 'empty' },
  ]);
  // The body/status rule is a constraint: an empty cell with text is refused.
  await expect(sql`update progression_descriptor set body = 'x' where status = 'empty'`.execute(db)).rejects.toThrow();
});
