import { sql } from 'kysely';
import { isDerangement } from '../src/peer-assessment/assignment';
import { exportLines, importLines } from '../src/backup/backup.service';
import { userIdsByLocalPart } from './helpers/builders';
import { DEMO_PASSWORD, emptyDatabase } from './helpers/db';
import { startTestApp, type Session, type TestApp } from './helpers/test-app';
import { step } from './helpers/story';

/**
 * The instructor keeps the roster (issue 13), through HTTP: drop (work kept, teams left, peer
 * pairs repaired, reminders cancelled, signed out, marked dropped with the date), re-enroll,
 * corrections with the email change confirmed by a link, the audit log.
 * Seeded LeadEd502x teams: Lesson 1 {1,2,3} {4,5,6,7} {8,9}, Lesson 2 {1,4,8}; 10–12 have none.
 */
let t: TestApp;
let instructor: Session;
const ids: Record<string, number> = {};
let req502: number;

beforeAll(async () => {
  t = await startTestApp({ now: '2020-02-10T15:00:00Z' });
  instructor = await t.login('instructor@cohort.example');
  Object.assign(ids, await userIdsByLocalPart(t));
  const reqs = await t.db
    .selectFrom('portfolio_requirement as pr')
    .innerJoin('edx_course as c', 'c.id', 'pr.edx_course_id')
    .select(['pr.id', 'c.code'])
    .execute();
  req502 = reqs.find((r) => r.code === 'LeadEd502x')!.id;
  expect((await instructor.post(`/instructor/peer-assignments/${req502}`, { action: 'assign', seed: 'roster' })).status).toBe(303);
  await t.runWorker(); // plans everyone's reminders
});
afterAll(() => t.close());

const studentUrl = (name: string) => `/instructor/roster/students/${ids[name]}`;
const user = (name: string) => t.db.selectFrom('app_user').selectAll().where('id', '=', ids[name]).executeTakeFirstOrThrow();
const auditOf = (name: string) =>
  t.db.selectFrom('audit_event').select(['action', 'old_value', 'new_value', 'actor_id']).where('subject_user_id', '=', ids[name]).orderBy('id').execute();
const activeStudents = async () =>
  (await t.db.selectFrom('app_user').select('id').where('role', '=', 'student').where('deactivated_at', 'is', null).execute()).map((r) => r.id);
async function activePairs(): Promise<Map<number, number>> {
  const rows = await t.db
    .selectFrom('peer_assignment')
    .select(['assessor_id', 'assessee_id'])
    .where('portfolio_requirement_id', '=', req502)
    .where('replaced_at', 'is', null)
    .execute();
  return new Map(rows.map((r) => [r.assessor_id, r.assessee_id]));
}
const pendingReminders = (name: string) =>
  t.db
    .selectFrom('reminder')
    .select(['status', 'reason'])
    .where('user_id', '=', ids[name])
    .where('status', 'in', ['scheduled', 'claimed', 'cancelled'])
    .execute();
const loginStatus = async (email: string, password = DEMO_PASSWORD) => (await t.anonymous().post('/login', { email, password })).status;
const workCounts = async (id: number) => {
  const n = async (q: Promise<{ n: unknown }>) => Number((await q).n);
  return {
    studyGuides: await n(
      t.db
        .selectFrom('study_guide')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('user_id', '=', id)
        .executeTakeFirstOrThrow(),
    ),
    artifacts: await n(
      t.db
        .selectFrom('team_artifact_version')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('uploaded_by', '=', id)
        .executeTakeFirstOrThrow(),
    ),
    memberships: await n(
      t.db
        .selectFrom('team_membership')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('user_id', '=', id)
        .executeTakeFirstOrThrow(),
    ),
  };
};

test('the roster story: a student dropped and re-enrolled, corrections, bad input, email changes, the audit log, access, a backup of it all', async () => {
  await step('dropping a student keeps their work, ends teams, repairs peer pairs, cancels reminders, signs them out and marks them dropped', async () => {
    t.clock.set('2020-02-18T15:00:00Z'); // the Feb 24 meeting and the LeadEd502x deadline are within the planning horizon
    await t.runWorker();
    const student5 = await t.login('student5@cohort.example');
    expect((await student5.get('/')).status).toBe(200);
    const before = await activePairs();
    expect(before.has(ids.student5)).toBe(true);
    expect((await pendingReminders('student5')).some((r) => r.status === 'scheduled')).toBe(true);
    const work = await workCounts(ids.student5);
    expect(work.memberships).toBeGreaterThan(0);

    const page = await instructor.get(studentUrl('student5')).expect(200);
    expect(page.text).toContain('Drop ');
    const res = await instructor.post(`${studentUrl('student5')}/drop`);
    expect(res.status).toBe(303);

    const row = await user('student5');
    expect(row.deactivated_at).toEqual(new Date('2020-02-18T15:00:00Z'));
    // work kept; memberships ended (not deleted)
    expect(await workCounts(ids.student5)).toEqual(work);
    const open = await t.db.selectFrom('team_membership').select('id').where('user_id', '=', ids.student5).where('left_at', 'is', null).execute();
    expect(open).toHaveLength(0);
    // peer pairs: nobody assesses or is assessed by student5; everyone else still in a derangement
    const after = await activePairs();
    expect([...after].some(([a, b]) => a === ids.student5 || b === ids.student5)).toBe(false);
    expect(isDerangement(after, await activeStudents())).toBe(true);
    // only the dropped student's links and the one their partner was spliced into changed
    const kept = [...before].filter(([a, b]) => after.get(a) === b).length;
    expect(kept).toBeGreaterThanOrEqual(before.size - 3);
    // reminders cancelled with the reason
    const reminders = await pendingReminders('student5');
    expect(reminders.length).toBeGreaterThan(0);
    expect(reminders.every((r) => r.status === 'cancelled' && r.reason === 'The student was removed from the roster.')).toBe(true);
    // signed out, and cannot sign in
    const sessions = await sql<{ n: number }>`select count(*)::int as n from http_session where sess #>> '{passport,user}' = ${String(ids.student5)}`.execute(
      t.db,
    );
    expect(sessions.rows[0].n).toBe(0);
    const again = await student5.get('/');
    expect(again.status).toBe(303);
    expect(again.headers.location).toMatch(/^\/login/);
    expect(await loginStatus('student5@cohort.example')).toBe(401);
    // audit
    expect(await auditOf('student5')).toEqual([{ action: 'drop', old_value: null, new_value: null, actor_id: ids.instructor }]);
    // shown dropped with the date: student page, roster, gradebook, CSV, class overview
    expect((await instructor.get(studentUrl('student5'))).text).toContain('Dropped Tue, Feb 18, 2020');
    expect((await instructor.get('/instructor/roster')).text).toContain('Dropped Tue, Feb 18, 2020');
    const gradebook = await instructor.get('/instructor/gradebook').expect(200);
    expect(gradebook.text).toMatch(/Student 5|student5/);
    expect(gradebook.text).toContain('Dropped Tue, Feb 18, 2020');
    const csv = (await instructor.get('/instructor/gradebook.csv').expect(200)).text.replace(/^\uFEFF/, '').split(/\r?\n/);
    const header = csv[0].split(',');
    const col = header.indexOf('dropped_on');
    expect(col).toBeGreaterThan(0);
    const line5 = csv.find((l) => l.includes('student5@cohort.example'))!;
    expect(line5.split(',')[col]).toBe('2020-02-18');
    const line4 = csv.find((l) => l.includes('student4@cohort.example'))!;
    expect(line4.split(',')[col]).toBe('');
    const overview = await instructor.get('/instructor/overview?q=student5').expect(200);
    expect(overview.text).toContain('Dropped Tue, Feb 18, 2020');

    // dropping twice is refused with a message
    const twice = await instructor.post(`${studentUrl('student5')}/drop`);
    expect(twice.status).toBe(409);
    expect(twice.text).toContain('is already dropped');
    t.clock.set('2020-02-10T15:00:00Z');
  });

  await step('re-enrolling opens a new enrollment: sign in again, reminders planned, spliced into peer pairs, history kept', async () => {
    t.clock.set('2020-02-10T15:00:00Z');
    expect((await instructor.post(`${studentUrl('student6')}/drop`)).status).toBe(303);
    expect(await loginStatus('student6@cohort.example')).toBe(401);
    t.clock.set('2020-02-20T15:00:00Z');
    const res = await instructor.post(`${studentUrl('student6')}/re-enroll`);
    expect(res.status).toBe(303);
    const row = await user('student6');
    expect(row.deactivated_at).toBeNull();
    expect(row.enrolled_at).toEqual(new Date('2020-02-20T15:00:00Z'));
    const periods = await t.db.selectFrom('enrollment_period').select(['enrolled_at', 'dropped_at']).where('user_id', '=', ids.student6).execute();
    expect(periods).toEqual([{ enrolled_at: new Date('2020-01-02T14:00:00Z'), dropped_at: new Date('2020-02-10T15:00:00Z') }]);
    expect(await loginStatus('student6@cohort.example')).toBe(303);
    expect((await pendingReminders('student6')).some((r) => r.status === 'scheduled')).toBe(true);
    const pairs = await activePairs();
    expect(pairs.has(ids.student6)).toBe(true);
    expect(isDerangement(pairs, await activeStudents())).toBe(true);
    expect((await auditOf('student6')).map((a) => a.action)).toEqual(['drop', 're-enroll']);
    const page = (await instructor.get(studentUrl('student6'))).text;
    expect(page).toContain('Enrolled Thu, Jan 2, 2020 · dropped Mon, Feb 10, 2020');
    expect(page).toContain('Enrolled Thu, Feb 20, 2020 · enrolled now');
    const twice = await instructor.post(`${studentUrl('student6')}/re-enroll`);
    expect(twice.status).toBe(409);
    expect(twice.text).toContain('is already enrolled');
    t.clock.set('2020-02-10T15:00:00Z');
  });

  await step('name, section and time zone are corrected with one audit row each; identities are normalized before comparing', async () => {
    const before = await user('student3');
    const sections = await t.db.selectFrom('section').select(['id', 'code']).orderBy('code').execute();
    const other = sections.find((s) => s.id !== before.section_id)!;
    const res = await instructor.post(studentUrl('student3'), {
      name: '  Cafe\u0301   Person ',
      email: ' Student3@Cohort.Example ',
      section: String(other.id),
      timeZone: 'Asia/Kolkata',
    });
    expect(res.status).toBe(303);
    const after = await user('student3');
    expect(after.name).toBe('Café Person');
    expect(after.name).toBe(after.name.normalize('NFC'));
    expect(after.email).toBe('student3@cohort.example'); // same identity: no email change
    expect(after.section_id).toBe(other.id);
    expect(after.time_zone).toBe('Asia/Kolkata');
    expect(await t.db.selectFrom('user_token').select('id').where('user_id', '=', ids.student3).where('purpose', '=', 'email_change').execute()).toHaveLength(
      0,
    );
    const audit = await auditOf('student3');
    expect(audit.map((a) => [a.action, a.old_value, a.new_value])).toEqual([
      ['name', before.name, 'Café Person'],
      ['section', sections.find((s) => s.id === before.section_id)!.code, other.code],
      ['time-zone', before.time_zone, 'Asia/Kolkata'],
    ]);
    // the same values again change nothing (the decomposed é is the same name)
    await instructor.post(studentUrl('student3'), {
      name: 'Cafe\u0301 Person',
      email: 'STUDENT3@cohort.example',
      section: String(other.id),
      timeZone: 'Asia/Kolkata',
    });
    expect(await auditOf('student3')).toHaveLength(3);
    expect((await instructor.get(studentUrl('student3'))).text).toContain('Time zone changed');
  });

  await step('bad input re-renders the form with the message and the input kept (422), never a 500', async () => {
    const before = await user('student2');
    const cases: [Record<string, string>, string][] = [
      [{ name: '   ', email: 'student2@cohort.example', section: String(before.section_id), timeZone: 'America/Detroit' }, 'Enter the student’s name.'],
      [
        { name: 'a\u0000b', email: 'student2@cohort.example', section: String(before.section_id), timeZone: 'America/Detroit' },
        'This contains a control character (such as a NUL byte) that cannot be part of text.',
      ],
      [{ name: 'X', email: 'not-an-email', section: String(before.section_id), timeZone: 'America/Detroit' }, 'Enter a valid email address'],
      [{ name: 'X', email: 'student2@cohort.example', section: '999999', timeZone: 'America/Detroit' }, 'Choose one of the course’s sections.'],
      [{ name: 'X', email: 'student2@cohort.example', section: 'abc', timeZone: 'Mars/Base' }, 'Choose an IANA time zone'],
      [
        { name: 'X', email: ' Student1@COHORT.example ', section: String(before.section_id), timeZone: 'America/Detroit' },
        'student1@cohort.example is already used by someone else',
      ],
    ];
    for (const [form, message] of cases) {
      const res = await instructor.post(studentUrl('student2'), form);
      expect(res.status).toBe(422);
      expect(res.text).toContain(message.replace(/’/g, '’'));
      expect(res.text).toContain(`value="${form.email.replace(/"/g, '&#34;')}"`);
    }
    expect(await user('student2')).toEqual(before);
    expect(await auditOf('student2')).toHaveLength(0);
    // unknown student, or an instructor's id: not found
    expect((await instructor.get('/instructor/roster/students/999999')).status).toBe(404);
    expect((await instructor.post(`/instructor/roster/students/${ids.instructor}/drop`)).status).toBe(404);
    expect((await instructor.get('/instructor/roster/students/abc')).status).toBe(404);
  });

  await step('an email change is confirmed by a one-time link to the new address; the old address is told; login switches on confirmation', async () => {
    t.smtp.clear();
    const res = await instructor.post(studentUrl('student8'), {
      name: (await user('student8')).name,
      email: 'New.Eight@UMich.edu',
      section: String((await user('student8')).section_id),
      timeZone: (await user('student8')).time_zone,
    });
    expect(res.status).toBe(303);
    expect((await user('student8')).email).toBe('student8@cohort.example');
    await t.runWorker();
    const confirmMail = t.smtp.messages.find((m) => m.to[0] === 'new.eight@umich.edu')!;
    expect(confirmMail.subject).toContain('Confirm your new Cohort Companion email address');
    const notice = t.smtp.messages.find((m) => m.to[0] === 'student8@cohort.example')!;
    expect(notice.text).toContain('new.eight@umich.edu');
    const link = confirmMail.text.match(/http:\/\/cohort\.test(\/confirm-email\/[\w-]+)/)![1];
    // until confirmed, the old address signs in
    expect(await loginStatus('student8@cohort.example')).toBe(303);
    expect(await loginStatus('new.eight@umich.edu')).toBe(401);
    expect((await instructor.get(studentUrl('student8'))).text).toContain('Waiting for confirmation of new.eight@umich.edu');

    const anon = t.anonymous();
    const page = await anon.get(link).expect(200);
    expect(page.text).toContain('Use new.eight@umich.edu to sign in');
    expect((await anon.post(link)).status).toBe(303);
    expect((await user('student8')).email).toBe('new.eight@umich.edu');
    expect(await loginStatus('new.eight@umich.edu')).toBe(303);
    expect(await loginStatus('student8@cohort.example')).toBe(401);
    expect((await t.anonymous().get(link)).status).toBe(410);
    expect((await auditOf('student8')).map((a) => [a.action, a.old_value, a.new_value, a.actor_id])).toEqual([
      ['email-requested', 'student8@cohort.example', 'new.eight@umich.edu', ids.instructor],
      ['email', 'student8@cohort.example', 'new.eight@umich.edu', ids.student8],
    ]);
  });

  await step('a pending email change claims its address; an invited student who never signed in switches at once with a new invitation', async () => {
    t.smtp.clear();
    const nine = await user('student9');
    expect(
      (
        await instructor.post(studentUrl('student9'), {
          name: nine.name,
          email: 'claimed@umich.edu',
          section: String(nine.section_id),
          timeZone: nine.time_zone,
        })
      ).status,
    ).toBe(303);
    const ten = await user('student10');
    const refused = await instructor.post(studentUrl('student10'), {
      name: ten.name,
      email: 'Claimed@umich.edu',
      section: String(ten.section_id),
      timeZone: ten.time_zone,
    });
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('claimed@umich.edu is already used by someone else');

    const staged = await instructor.post('/instructor/roster/import', { csv: 'name,email,section\nNew Comer,newcomer@umich.edu,EDUC 551\n' });
    expect(staged.status).toBe(303);
    expect((await instructor.post(`${staged.headers.location}/confirm`)).status).toBe(303);
    const newcomer = await t.db.selectFrom('app_user').selectAll().where('email', '=', 'newcomer@umich.edu').executeTakeFirstOrThrow();
    ids.newcomer = newcomer.id;
    expect(
      (
        await instructor.post(studentUrl('newcomer'), {
          name: newcomer.name,
          email: 'newcomer2@umich.edu',
          section: String(newcomer.section_id),
          timeZone: newcomer.time_zone,
        })
      ).status,
    ).toBe(303);
    expect((await user('newcomer')).email).toBe('newcomer2@umich.edu');
    await t.runWorker();
    const invitations = t.smtp.messages.filter((m) => /You're invited/.test(m.subject));
    expect(invitations.map((m) => m.to[0])).toContain('newcomer2@umich.edu');
    const firstLink = invitations.find((m) => m.to[0] === 'newcomer@umich.edu')!.text.match(/http:\/\/cohort\.test(\/set-password\/[\w-]+)/)![1];
    expect((await t.anonymous().get(firstLink)).status).toBe(410); // the old address's invitation died
    expect(t.smtp.messages.some((m) => m.to[0] === 'newcomer@umich.edu' && /email address is changing/.test(m.subject))).toBe(true);
    expect((await auditOf('newcomer')).map((a) => a.action)).toEqual(['email']);
  });

  await step('the audit log refuses updates and deletes', async () => {
    await expect(sql`update audit_event set action = 'x'`.execute(t.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from audit_event`.execute(t.db)).rejects.toThrow(/append-only/);
  });

  await step('students cannot use the roster pages', async () => {
    const student = await t.login('student1@cohort.example');
    expect((await student.get(studentUrl('student2'))).status).toBe(403);
    expect((await student.post(`${studentUrl('student2')}/drop`)).status).toBe(403);
    expect((await user('student2')).deactivated_at).toBeNull();
  });

  await step('a backup round-trips enrollments, closed enrollment periods, email-change tokens and the audit log', async () => {
    t.clock.set('2020-02-10T15:00:00Z');
    await instructor.post(`${studentUrl('student12')}/drop`);
    t.clock.set('2020-02-12T15:00:00Z');
    await instructor.post(`${studentUrl('student12')}/re-enroll`);
    const twelve = await user('student12');
    await instructor.post(studentUrl('student12'), {
      name: twelve.name,
      email: 'twelve@umich.edu',
      section: String(twelve.section_id),
      timeZone: twelve.time_zone,
    });
    t.clock.set('2020-02-10T15:00:00Z');
    const collect = async (gen: AsyncGenerator<string>) => {
      const lines: string[] = [];
      for await (const l of gen) lines.push(l);
      return lines;
    };
    const at = new Date('2020-02-13T00:00:00Z');
    const first = await collect(exportLines(t.db, at));
    expect(first.some((l) => l.startsWith('{"t":"enrollment_period"'))).toBe(true);
    expect(first.some((l) => l.startsWith('{"t":"audit_event"'))).toBe(true);
    const target = await emptyDatabase();
    try {
      await importLines(target.db, first);
      expect(await collect(exportLines(target.db, at))).toEqual(first);
      const restored = await target.db
        .selectFrom('app_user')
        .select(['enrolled_at', 'deactivated_at'])
        .where('id', '=', ids.student12)
        .executeTakeFirstOrThrow();
      expect(restored).toEqual({ enrolled_at: new Date('2020-02-12T15:00:00Z'), deactivated_at: null });
    } finally {
      await target.close();
    }
  });
});
