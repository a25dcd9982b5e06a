import { extractCsrf, startTestApp, type Session, type TestApp } from './helpers/test-app';
import { addStudents, numbered } from './helpers/students';
import { step } from './helpers/story';

/** The instructor's reminder log and previews, and announcements, through HTTP. */
let t: TestApp;
let instructor: Session;

beforeAll(async () => {
  t = await startTestApp({ now: '2020-02-19T14:00:00Z' });
  await addStudents(t.db, numbered(20, 'extra', 'Extra Student'), { sectionCode: 'EDUC 639' });
  await t.runWorker(); // plans the semester; the Detroit students' 7-day reminders go out
  await t.runWorker();
  instructor = await t.login('instructor@cohort.example');
});
afterAll(() => t.close());

test('the reminders pages as reminders are planned, sent and announced', async () => {
  await step('the log lists every reminder with its status, filters by status and kind, and pages', async () => {
    const page = (await instructor.get('/instructor/reminders').expect(200)).text;
    // Within the 14-day horizon on 02/19: the 02/26 deadline (3 reminders) and the 02/24 meeting (1) for
    // 32 students = 128; the 22 Detroit students' 7-day reminders went out at 09:00 EST.
    expect(page).toContain('All (128)');
    expect(page).toContain('Sent (22)');
    expect(page).toContain('Scheduled (106)');
    expect(page).toMatch(/Page 1 of 3/);
    expect((page.match(/<tr>/g) ?? []).length).toBe(1 + 50);
    const sent = (await instructor.get('/instructor/reminders?status=sent').expect(200)).text;
    expect((sent.match(/<tr>/g) ?? []).length).toBe(1 + 22);
    expect(sent).toContain('Ethan Brown');
    expect(sent).toContain('7 days before');
    expect(sent).not.toContain('Miguel Santos'); // Manila's 7-day reminder is at 01:00Z on 02/20
    const meetings = (await instructor.get('/instructor/reminders?kind=campus_meeting').expect(200)).text;
    expect(meetings).toContain('32 reminders');
    expect(meetings).not.toContain('Portfolio deadline:');
    const deadlines = (await instructor.get('/instructor/reminders?kind=portfolio_deadline&page=2').expect(200)).text;
    expect(deadlines).toContain('96 reminders');
    expect(deadlines).toMatch(/Page 2 of 2/);
    expect((deadlines.match(/<tr>/g) ?? []).length).toBe(1 + 46);
    // A bad filter falls back to the default instead of failing.
    expect((await instructor.get('/instructor/reminders?status=bogus&page=-3').expect(200)).text).toContain('All (128)');
  });

  await step('students cannot see the log, previews or announcements', async () => {
    const student = await t.login('student1@cohort.example');
    expect((await student.get('/instructor/reminders')).status).toBe(403);
    expect((await student.get('/instructor/announcements')).status).toBe(403);
    const r = await t.db.selectFrom('reminder').select('id').executeTakeFirstOrThrow();
    expect((await student.get(`/instructor/reminders/${r.id}/preview`)).status).toBe(403);
  });

  await step('preview: a sent reminder as it was sent, a scheduled one as it would read now; HTML sandboxed and escaped', async () => {
    const student3 = await t.db.selectFrom('app_user').select('id').where('email', '=', 'student3@cohort.example').executeTakeFirstOrThrow();
    await t.db.updateTable('app_user').set({ name: 'Olivia <script>alert(1)</script> Bennett' }).where('id', '=', student3.id).execute();
    const scheduled = await t.db
      .selectFrom('reminder')
      .select('id')
      .where('user_id', '=', student3.id)
      .where('kind', '=', 'portfolio_deadline')
      .orderBy('send_at')
      .executeTakeFirstOrThrow();
    const page = (await instructor.get(`/instructor/reminders/${scheduled.id}/preview`).expect(200)).text;
    expect(page).toContain('Not sent yet: this is how it would read if it were sent now.');
    expect(page).toContain('[EDUC 551/639] Reminder: LeadEd502x Portfolio due Thu, Feb 27, 4:59 AM GMT');
    expect(page).toMatch(/<iframe class="email-html" sandbox="" [^>]*srcdoc="/);
    expect(page).not.toMatch(/<script/i);
    expect(page).toContain('Olivia &lt;script&gt;alert(1)&lt;/script&gt; Bennett'); // in the text version
    expect(page).toContain('Olivia &amp;lt;script&amp;gt;'); // in srcdoc: escaped by the email, then by the page

    const sent = await t.db.selectFrom('reminder').select(['id', 'outbound_email_id']).where('status', '=', 'sent').executeTakeFirstOrThrow();
    const email = await t.db.selectFrom('outbound_email').select('message_id').where('id', '=', sent.outbound_email_id!).executeTakeFirstOrThrow();
    const sentPage = (await instructor.get(`/instructor/reminders/${sent.id}/preview`).expect(200)).text;
    expect(sentPage).toContain('This is the email as it was sent.');
    expect(sentPage).toContain(email.message_id.replace('<', '&lt;').replace('>', '&gt;'));
    expect((await instructor.get('/instructor/reminders/999999/preview')).status).toBe(404);
    expect((await instructor.get('/instructor/reminders/abc/preview')).status).toBe(404);
  });

  async function announcementForm(): Promise<Record<string, string>> {
    const html = (await instructor.get('/instructor/announcements').expect(200)).text;
    const nonce = html.match(/name="nonce" value="([^"]+)"/)![1];
    return { _csrf: extractCsrf(html), nonce };
  }

  await step('an announcement with a problem is shown again with the message and what was typed, 422', async () => {
    const form = await announcementForm();
    const res = await instructor.post('/instructor/announcements', { ...form, audience: 'all', subject: '', body: 'Q&A moves to Thursday' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Write a subject.');
    expect(res.text).toContain('Q&amp;A moves to Thursday</textarea>');
    const bogus = await instructor.post('/instructor/announcements', { ...form, audience: '999', subject: 'Hi', body: 'Hi' });
    expect(bogus.status).toBe(422);
    expect(bogus.text).toContain('Choose everyone or one section.');
  });

  await step('an announcement to one section goes through the outbox to its active students, once', async () => {
    t.smtp.clear();
    const section = await t.db.selectFrom('section').select('id').where('code', '=', 'EDUC 551').executeTakeFirstOrThrow();
    await t.db
      .updateTable('app_user')
      .set({ deactivated_at: new Date('2020-02-18T00:00:00Z') })
      .where('email', '=', 'student11@cohort.example')
      .execute();
    const form = await announcementForm();
    const fields = { ...form, audience: String(section.id), subject: 'Room change for Monday', body: 'We meet in **2340 SEB**.\n\nQ&A after.' };
    const res = await instructor.post('/instructor/announcements', fields);
    expect(res.status).toBe(303);
    expect((await instructor.get('/instructor/announcements')).text).toContain('Announcement queued for 5 students.');
    expect((await instructor.post('/instructor/announcements', fields)).status).toBe(303); // a double submit
    expect((await instructor.get('/instructor/announcements')).text).toContain('That announcement was already sent; it was not sent again.');
    await t.runWorker();
    const got = t.smtp.messages.filter((m) => m.subject === '[EDUC 551/639] Room change for Monday');
    expect(got.map((m) => m.to[0]).sort()).toEqual(['student1', 'student3', 'student5', 'student7', 'student9'].map((s) => `${s}@cohort.example`)); // not student11, removed
    expect(got[0].text).toContain('We meet in **2340 SEB**.\n\nQ&A after.');
    expect(got[0].html).toContain('<strong>2340 SEB</strong>');
    expect(got[0].html).toContain('Q&amp;A after.');
    const page = (await instructor.get('/instructor/announcements')).text;
    expect(page).toMatch(/Room change for Monday<\/a><\/td><td>EDUC 551<\/td><td>5<\/td>/);
    expect(await t.db.selectFrom('announcement').select('body_md').execute()).toEqual([{ body_md: 'We meet in **2340 SEB**.\n\nQ&A after.' }]);
  });

  await step('after a week without a worker, each student gets only the latest due reminder; the log says why the rest were skipped', async () => {
    t.smtp.clear();
    t.clock.set('2020-02-26T14:00:00Z'); // 09:00 EST on the due day; nothing ran since 02/19
    await t.runWorker();
    await t.runWorker();
    const ethan = t.smtp.messages.filter((m) => m.to.includes('student12@cohort.example'));
    expect(ethan.map((m) => m.subject)).toEqual(['[EDUC 551/639] Reminder: LeadEd502x Portfolio due Wed, Feb 26, 11:59 PM EST']);
    const skipped = (await instructor.get('/instructor/reminders?status=skipped').expect(200)).text;
    expect(skipped).toContain('A later reminder for the same deadline was also due; only that one was sent.'); // the 2-day ones of 02/24
    expect(skipped).toContain('The meeting started before this reminder was sent.'); // the 02/24 meeting's, due 02/23
    const rows = await t.db
      .selectFrom('reminder as r')
      .innerJoin('app_user as u', 'u.id', 'r.user_id')
      .select(['r.kind', 'r.offset_days', 'r.status'])
      .where('u.email', '=', 'student12@cohort.example')
      .where('r.target_at', '<', new Date('2020-03-01T00:00:00Z')) // (the 03/09 meeting's is planned by now too)
      .orderBy('r.send_at')
      .execute();
    expect(rows.map((r) => [r.kind, r.offset_days, r.status])).toEqual([
      ['portfolio_deadline', 7, 'sent'],
      ['campus_meeting', 1, 'skipped'],
      ['portfolio_deadline', 2, 'skipped'],
      ['portfolio_deadline', 0, 'sent'],
    ]);
  });
});
