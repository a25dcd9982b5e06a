import { aCommunityLearner, aStudent } from './helpers/builders';
import { startTestApp, type TestApp } from './helpers/test-app';
import { step } from './helpers/story';

/**
 * The language of dates (issue 17): each person chooses how dates and times are written for them
 * on /settings; pages and their reminder emails follow it, per request (two people at once each get
 * their own), and form values and machine formats never change with it.
 */
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ now: '2020-02-10T15:00:00Z' });
}, 60_000);
afterAll(() => t.close());

test('a learner in Paris reads dates in French; a campus student beside her keeps the course’s US English', async () => {
  const amelie = await aCommunityLearner(t, { name: 'Amélie Paris', timeZone: 'Europe/Paris', country: 'FR' });
  const carla = await aStudent(t, { name: 'Carla Campus', timeZone: 'America/Detroit' });
  const a = await amelie.login();
  const c = await carla.login();

  await step('the settings offer each language with a sample; an unknown one is refused with the input kept, nothing changed', async () => {
    const page = await a.get('/settings');
    expect(page.text).toContain('How dates are written');
    expect(page.text).toMatch(/<option value="fr">français: lun\. 10 févr\. 2020, 21:30<\/option>/);
    const bad = await a.post('/settings', { timeZone: 'Europe/Berlin', dateLanguage: 'xx-YY' });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('Choose how dates are written from the list.');
    const row = await t.db.selectFrom('app_user').select(['date_language', 'time_zone']).where('id', '=', amelie.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ date_language: 'en-US', time_zone: 'Europe/Paris' });
  });

  await step('she chooses French; her pages write dates the French way, at the same moment as his in English', async () => {
    expect((await a.post('/settings', { timeZone: 'Europe/Paris', dateLanguage: 'fr', weeklyNudge: 'on' })).status).toBe(303);
    const [hers, his] = await Promise.all([a.get('/calendar'), c.get('/calendar')]);
    expect(hers.text).toMatch(/mar\. 7 janv\. 2020/);
    expect(hers.text).not.toContain('Tue, Jan 7, 2020');
    expect(his.text).toContain('Tue, Jan 7, 2020');
    expect(his.text).not.toMatch(/janv\./);
    // A settings form that does not send the field leaves the choice as it is.
    expect((await a.post('/settings', { timeZone: 'Europe/Paris' })).status).toBe(303);
    expect((await t.db.selectFrom('app_user').select('date_language').where('id', '=', amelie.id).executeTakeFirstOrThrow()).date_language).toBe('fr');
  });

  await step('her reminder email is written in French too; his stays in English', async () => {
    await t.db.updateTable('app_user').set({ date_language: 'es' }).where('id', '=', carla.id).execute();
    t.clock.set('2020-04-06T01:00:00Z');
    await t.runWorker();
    const mine = t.smtp.messages.filter((m) => m.to.includes(carla.email) && m.subject.includes('Required campus meeting'));
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.at(-1)!.subject).toMatch(/abr/);
    expect(mine.at(-1)!.subject).not.toMatch(/Apr/);
    const others = t.smtp.messages.filter((m) => m.to.includes('student3@cohort.example') && m.subject.includes('Required campus meeting'));
    expect(others.at(-1)!.subject).toMatch(/Apr 6/);
    t.clock.set('2020-02-10T15:00:00Z');
  });

  await step('form values stay machine-readable whatever the language: an instructor writing dates in Arabic edits an event', async () => {
    const instructor = await t.login('instructor@cohort.example');
    expect((await instructor.post('/settings', { timeZone: 'America/Detroit', dateLanguage: 'ar' })).status).toBe(303);
    const meeting = await t.db.selectFrom('calendar_event').select('id').where('kind', '=', 'campus_meeting').orderBy('starts_at').executeTakeFirstOrThrow();
    const edit = (await instructor.get(`/instructor/events/${meeting.id}/edit`)).text;
    expect(edit).toMatch(/name="starts"[^>]*value="\d\d:\d\d"|value="\d\d:\d\d"[^>]*name="starts"/);
  });

  await step('what the instructor writes to someone else is dated in the recipient’s language, not the instructor’s', async () => {
    const instructor = await t.login('instructor@cohort.example');
    const requirement = await t.db.selectFrom('portfolio_requirement').select('id').orderBy('id').executeTakeFirstOrThrow();
    const res = await instructor.post('/instructor/extensions/grant', {
      student: String(carla.id),
      portfolio: String(requirement.id),
      reason: 'Accommodation',
      granted_due_on: '2020-03-10',
    });
    expect(res.status).toBe(303);
    // Carla reads Spanish dates (set above); the instructor reads Arabic ones.
    const notice = await t.db.selectFrom('notice').select(['subject', 'body']).where('user_id', '=', carla.id).orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(notice.body).toMatch(/mar/);
    expect(notice.body).not.toMatch(/[\u0600-\u06FF]/);
    await t.runWorker();
    const mail = t.smtp.messages.filter((m) => m.to.includes(carla.email) && m.subject.includes('Extension')).at(-1)!;
    expect(mail.text).not.toMatch(/[\u0600-\u06FF]/);
    expect(mail.text).toMatch(/mar/);
    await instructor.post('/settings', { timeZone: 'America/Detroit', dateLanguage: 'en-US' });
  });
});
