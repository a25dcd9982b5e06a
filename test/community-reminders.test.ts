import { sql } from 'kysely';
import { usersRepository } from '../src/accounts/users.repository';
import { buildContext } from '../src/bootstrap';
import { loadConfig } from '../src/config';
import type { AppContext } from '../src/context';
import { postgresDatabase, type DatabaseHandle } from '../src/db/connect';
import { smtpSender } from '../src/mail/transport';
import { runJobsOnce } from '../src/worker/worker';
import { aCommunityLearner, aStudent, restoreClockAfterEach, type BuiltStudent } from './helpers/builders';
import { testDatabaseUrl, urlForDatabase } from './helpers/db';
import { step } from './helpers/story';
import { ENV_FOR_TESTS, startTestApp, type TestApp } from './helpers/test-app';

/**
 * Reminders for community learners (issue 17): the weekly "this week's lesson" nudge at 09:00 on
 * the lesson week's Monday in the learner's own zone (across the 2020-03-08 DST change), once
 * whatever the number of workers, with one-click and settings opt-out; reminders the day before
 * virtual office hours; never a campus meeting or portfolio reminder. Campus students get no
 * nudge, deactivated learners nothing. The worker runs at chosen clock times and delivers to the
 * real SMTP sink. Each test makes its own learners and looks only at their mail.
 */
const SECRET = 'community-reminders-test-session-secret-0123456789';
let t: TestApp;
let second: { ctx: AppContext; handle: DatabaseHandle | null };

/** A second app instance on the same database (its own pool on PostgreSQL; PGlite is one process, so the same handle). */
async function secondInstance(): Promise<{ ctx: AppContext; handle: DatabaseHandle | null }> {
  const url = testDatabaseUrl();
  let handle: DatabaseHandle | null = null;
  if (url) {
    const { rows } = await sql<{ name: string }>`select current_database() as name`.execute(t.db);
    handle = postgresDatabase(urlForDatabase(url, rows[0].name), 3);
  }
  const config = loadConfig({ ...ENV_FOR_TESTS, SESSION_SECRET: SECRET } as NodeJS.ProcessEnv);
  const ctx = buildContext(config, handle ?? t.handle, { clock: t.clock, mail: smtpSender(t.smtp.url) });
  return { ctx, handle };
}

beforeAll(async () => {
  t = await startTestApp({ now: '2020-02-16T12:00:00Z', env: { SESSION_SECRET: SECRET } });
  second = await secondInstance();
});
afterAll(async () => {
  second.ctx.mail.close();
  await second.handle?.close();
  await t.close();
});
restoreClockAfterEach(() => t);

/** Runs the worker (every job: reminders, then delivery) as of `instant`; `twice` runs two app instances at once. */
async function at(instant: string, opts: { twice?: boolean } = {}): Promise<void> {
  t.clock.set(instant);
  if (opts.twice) await Promise.all([t.runWorker(), runJobsOnce(second.ctx)]);
  else await t.runWorker();
  await t.runWorker(); // anything the other instance queued is delivered, outcomes mirrored
}

const mailTo = (who: { email: string }) => t.smtp.messages.filter((m) => m.to.includes(who.email));
const nudgesTo = (who: { email: string }) => mailTo(who).filter((m) => m.subject.includes('] This week: '));
const header = (raw: string, name: string) => new RegExp(`^${name}: (.*)\\r?$`, 'im').exec(raw.replace(/\r?\n[ \t]+/g, ' '))?.[1];
const unsubscribePath = (raw: string) => /<http:\/\/cohort\.test(\/unsubscribe\/[^>]+)>/.exec(header(raw, 'List-Unsubscribe') ?? '')?.[1];

const remindersOf = (who: { id: number }) =>
  t.db.selectFrom('reminder').select(['kind', 'target_on', 'send_at', 'status', 'reason']).where('user_id', '=', who.id).orderBy('send_at').execute();

async function unitIdOf(edxCode: string, lessonNumber: number): Promise<number> {
  const row = await t.db
    .selectFrom('unit')
    .innerJoin('edx_course as c', 'c.id', 'unit.edx_course_id')
    .select('unit.id')
    .where('c.code', '=', edxCode)
    .where('unit.lesson_number', '=', lessonNumber)
    .executeTakeFirstOrThrow();
  return row.id;
}

async function deactivated(learner: BuiltStudent): Promise<BuiltStudent> {
  await usersRepository.deactivate(t.db, learner.id, new Date('2020-01-20T14:00:00Z'));
  return learner;
}

test('the weekly nudge: 09:00 on Monday in each learner’s own zone, across the DST change, once across two instances; not for campus students or removed learners', async () => {
  const manila = await aCommunityLearner(t, { name: 'Maria Santos', timeZone: 'Asia/Manila', country: 'PH' });
  const detroit = await aCommunityLearner(t, { name: 'Dana Wright', timeZone: 'America/Detroit', country: 'US' });
  const campus = await aStudent(t, { name: 'Campus Nudge-Free', timeZone: 'Asia/Manila' });
  const gone = await deactivated(await aCommunityLearner(t, { name: 'Removed Learner', timeZone: 'America/Detroit' }));

  await step('Sunday: nothing due yet', async () => {
    await at('2020-02-16T12:00:00Z');
    expect(nudgesTo(manila)).toHaveLength(0);
    expect(nudgesTo(detroit)).toHaveLength(0);
  });

  await step('Monday 2020-02-17 09:00 in Manila is 01:00Z: Manila’s Lesson 06 nudge, Detroit’s not yet', async () => {
    await at('2020-02-17T01:00:00Z');
    expect(nudgesTo(manila).map((m) => m.subject)).toEqual([
      '[EDUC 551/639] This week: LeadEd502x Lesson 06 — Case Study – Innovating in High School Social/Emotional Supports',
    ]);
    expect(nudgesTo(detroit)).toHaveLength(0);
  });

  await step('Detroit’s 09:00 EST is 14:00Z: not at 13:59Z, at 14:00Z', async () => {
    await at('2020-02-17T13:59:00Z');
    expect(nudgesTo(detroit)).toHaveLength(0);
    await at('2020-02-17T14:00:00Z');
    expect(nudgesTo(detroit).map((m) => m.subject)).toEqual([
      '[EDUC 551/639] This week: LeadEd502x Lesson 06 — Case Study – Innovating in High School Social/Emotional Supports',
    ]);
  });

  await step('the portfolio week and spring break are no lesson weeks: no nudge', async () => {
    await at('2020-02-24T14:00:00Z');
    await at('2020-03-02T14:00:00Z');
    await at('2020-03-08T12:00:00Z');
    expect(nudgesTo(manila)).toHaveLength(1);
    expect(nudgesTo(detroit)).toHaveLength(1);
  });

  await step('week of 2020-03-09, Manila: 01:00Z (Sunday 21:00 in Detroit, now on EDT), two instances at once, one email', async () => {
    await at('2020-03-09T00:59:00Z', { twice: true });
    expect(nudgesTo(manila)).toHaveLength(1);
    await at('2020-03-09T01:00:00Z', { twice: true });
    await at('2020-03-09T01:00:00Z', { twice: true });
    const nudges = nudgesTo(manila);
    expect(nudges).toHaveLength(2);
    const nudge = nudges[1];
    expect(nudge.subject).toBe('[EDUC 551/639] This week: LeadEd503x Lesson 01 — Introduction to Improvement Science');
    const lessonUrl = `http://cohort.test/lessons/${await unitIdOf('LeadEd503x', 1)}`;
    expect(nudge.text).toContain(`Lesson page: ${lessonUrl}`);
    expect(nudge.text).toContain('This week (where you are, what comes next): http://cohort.test/');
    expect(nudge.html).toContain(`href="${lessonUrl}"`);
    expect(nudge.html).toContain('href="http://cohort.test/"');
    expect(header(nudge.raw, 'List-Unsubscribe')).toMatch(new RegExp(`^<http://cohort\\.test/unsubscribe/${manila.id}\\.weekly_nudge\\.[A-Za-z0-9_-]{43}>$`));
    expect(header(nudge.raw, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    expect(nudgesTo(detroit)).toHaveLength(1);
  });

  await step('Detroit: 09:00 EDT is 13:00Z after the DST change (the previous nudge went at 14:00Z)', async () => {
    await at('2020-03-09T12:59:00Z', { twice: true });
    expect(nudgesTo(detroit)).toHaveLength(1);
    await at('2020-03-09T13:00:00Z', { twice: true });
    await at('2020-03-09T13:05:00Z', { twice: true });
    expect(nudgesTo(detroit).map((m) => m.subject)).toEqual([
      '[EDUC 551/639] This week: LeadEd502x Lesson 06 — Case Study – Innovating in High School Social/Emotional Supports',
      '[EDUC 551/639] This week: LeadEd503x Lesson 01 — Introduction to Improvement Science',
    ]);
    expect(nudgesTo(manila)).toHaveLength(2);
  });

  await step('the schedule: one sent row per learner and week, at each learner’s own 09:00 (the next week planned, not sent)', async () => {
    const sent = async (who: BuiltStudent) =>
      (await remindersOf(who))
        .filter((r) => r.kind === 'weekly_nudge' && r.status !== 'scheduled')
        .map((r) => [r.target_on, r.send_at.toISOString(), r.status]);
    expect(await sent(manila)).toEqual([
      ['2020-02-17', '2020-02-17T01:00:00.000Z', 'sent'],
      ['2020-03-09', '2020-03-09T01:00:00.000Z', 'sent'],
    ]);
    expect(await sent(detroit)).toEqual([
      ['2020-02-17', '2020-02-17T14:00:00.000Z', 'sent'],
      ['2020-03-09', '2020-03-09T13:00:00.000Z', 'sent'],
    ]);
    const outbox = await t.db.selectFrom('outbound_email').select('to_address').where('kind', '=', 'weekly_nudge').execute();
    expect(outbox.filter((m) => m.to_address === manila.email)).toHaveLength(2);
  });

  await step('a campus student and a removed community learner got no nudge and have none planned', async () => {
    expect(nudgesTo(campus)).toHaveLength(0);
    expect(mailTo(gone)).toHaveLength(0);
    expect((await remindersOf(campus)).filter((r) => r.kind === 'weekly_nudge')).toEqual([]);
    expect(await remindersOf(gone)).toEqual([]);
  });
});

test('turning the nudge off, by the one-click link or on /settings, stops the next one for that learner only', async () => {
  const clicker = await aCommunityLearner(t, { name: 'One Click', timeZone: 'America/Detroit', country: 'CA' });
  const settler = await aCommunityLearner(t, { name: 'Settings User', timeZone: 'America/Detroit', country: 'MX' });
  const keeper = await aCommunityLearner(t, { name: 'Keeps Nudges', timeZone: 'America/Detroit', country: 'US' });
  const lesson02 = '[EDUC 551/639] This week: LeadEd503x Lesson 02 — Understanding the Problem and the System that Produces It';
  const lesson03 = '[EDUC 551/639] This week: LeadEd503x Lesson 03 — Focusing Collective Efforts Around a Shared Theory of Improvement';
  const lesson04 = '[EDUC 551/639] This week: LeadEd503x Lesson 04 — Testing Changes and Building Evidence';

  await step('Monday 2020-03-16 09:00 EDT: all three get Lesson 02', async () => {
    await at('2020-03-16T13:00:00Z');
    for (const who of [clicker, settler, keeper]) expect(nudgesTo(who).map((m) => m.subject)).toEqual([lesson02]);
  });

  await step('one click (RFC 8058 POST) on the email’s List-Unsubscribe link turns the nudge off', async () => {
    const path = unsubscribePath(nudgesTo(clicker)[0].raw)!;
    expect(path).toMatch(new RegExp(`^/unsubscribe/${clicker.id}\\.weekly_nudge\\.`));
    const res = await t.anonymous().agent.post(path).type('form').send('List-Unsubscribe=One-Click');
    expect(res.status).toBe(200);
    expect(res.text).toContain('weekly &#34;this week&#39;s lesson&#34; nudges');
    const row = await usersRepository.findById(t.db, clicker.id);
    expect([row!.weekly_nudge, row!.meeting_reminders]).toEqual([false, true]);
  });

  await step('on /settings a community learner sees their two kinds of email; unticking the nudge changes only their two columns', async () => {
    await t.db.updateTable('app_user').set({ announcement_emails: false, digest_emails: false }).where('id', '=', settler.id).execute();
    const s = await settler.login();
    const page = (await s.get('/settings').expect(200)).text;
    expect(page).toMatch(/name="weeklyNudge" checked/);
    expect(page).toMatch(/name="officeHoursReminders" checked/);
    expect(page).toContain('Virtual office hours reminders');
    expect(page).not.toContain('name="meetingReminders"');
    expect(page).not.toContain('name="announcementEmails"');
    expect(page).not.toContain('name="digestEmails"');
    // Forged fields of other roles' forms are ignored.
    const res = await s.post('/settings', { timeZone: 'America/Detroit', officeHoursReminders: 'on', announcementEmails: 'on', digestEmails: 'on' });
    expect(res.status).toBe(303);
    const row = await usersRepository.findById(t.db, settler.id);
    expect([row!.weekly_nudge, row!.meeting_reminders, row!.announcement_emails, row!.digest_emails]).toEqual([false, true, false, false]);
    expect((await s.get('/settings').expect(200)).text).toMatch(/name="weeklyNudge" aria-describedby/);
  });

  await step('Monday 2020-03-23: only the learner who kept it gets Lesson 03; the others’ rows say why', async () => {
    await at('2020-03-23T13:00:00Z');
    expect(nudgesTo(keeper).map((m) => m.subject)).toEqual([lesson02, lesson03]);
    expect(nudgesTo(clicker).map((m) => m.subject)).toEqual([lesson02]);
    expect(nudgesTo(settler).map((m) => m.subject)).toEqual([lesson02]);
    for (const who of [clicker, settler]) {
      const rows = (await remindersOf(who)).filter((r) => r.kind === 'weekly_nudge' && r.target_on === '2020-03-23');
      expect(rows.map((r) => [r.status, r.reason])).toEqual([['cancelled', 'The learner turned the weekly nudge off.']]);
    }
  });

  await step('a learner who moves to Manila hears at 09:00 Manila time the next Monday (the planned nudge moves)', async () => {
    t.clock.set('2020-03-25T15:00:00Z');
    const s = await keeper.login();
    expect((await s.post('/settings', { timeZone: 'Asia/Manila', weeklyNudge: 'on', officeHoursReminders: 'on' })).status).toBe(303);
    await at('2020-03-30T00:59:00Z');
    expect(nudgesTo(keeper)).toHaveLength(2);
    await at('2020-03-30T01:00:00Z');
    expect(nudgesTo(keeper).map((m) => m.subject)).toEqual([lesson02, lesson03, lesson04]);
    const row = (await remindersOf(keeper)).find((r) => r.kind === 'weekly_nudge' && r.target_on === '2020-03-30')!;
    expect([row.send_at.toISOString(), row.status]).toEqual(['2020-03-30T01:00:00.000Z', 'sent']);
  });
});

test('community learners get virtual office hours reminders, never campus meeting or portfolio reminders; campus students the reverse', async () => {
  const learner = await aCommunityLearner(t, { name: 'Office Hours Fan', timeZone: 'Asia/Manila', country: 'PH' });
  const optedOut = await aCommunityLearner(t, { name: 'No Office Hours', timeZone: 'Asia/Manila', country: 'PH', meetingReminders: false });
  const campus = await aStudent(t, { name: 'Campus Student Manila', timeZone: 'Asia/Manila' });
  const gone = await deactivated(await aCommunityLearner(t, { name: 'Removed Too', timeZone: 'Asia/Manila' }));
  const instructor = await t.login('instructor@cohort.example');
  const video = 'https://umich.zoom.us/j/5557654321';

  await step('the instructor adds virtual office hours on Wed 2020-04-01, 19:00–20:00 Detroit (Thu 07:00 in Manila)', async () => {
    t.clock.set('2020-03-25T15:00:00Z');
    const res = await instructor.post('/instructor/events', {
      kind: 'office_hours',
      title: 'Virtual office hours',
      on: '2020-04-01',
      starts: '19:00',
      ends: '20:00',
      location: '',
      videoUrl: video,
      description: 'Questions about Lesson 04.',
    });
    expect(res.status).toBe(303);
  });

  await step('Manila’s day-before 09:00 (Wed 01:00Z): the learner’s reminder with the video link; nobody else’s', async () => {
    await at('2020-04-01T00:59:00Z');
    const officeHours = (who: { email: string }) => mailTo(who).filter((m) => m.subject.includes('Virtual office hours'));
    expect(officeHours(learner)).toHaveLength(0);
    await at('2020-04-01T01:00:00Z', { twice: true });
    const [mail, ...more] = officeHours(learner);
    expect(more).toHaveLength(0);
    expect(mail.subject).toBe('[EDUC 551/639] Virtual office hours Thu, Apr 2, 7:00 AM GMT+8');
    expect(mail.text).toContain(`Video link: ${video}`);
    expect(mail.text).toContain('When: Thu, Apr 2, 2020, 7:00');
    expect(header(mail.raw, 'List-Unsubscribe')).toMatch(new RegExp(`/unsubscribe/${learner.id}\\.reminder_office_hours\\.`));
    for (const who of [optedOut, campus, gone]) expect(officeHours(who)).toHaveLength(0);
  });

  await step('the required campus meeting (Mon 04-06) and the LeadEd503x portfolio (due 04-22) remind the campus student only', async () => {
    await at('2020-04-06T01:00:00Z');
    await at('2020-04-16T01:00:00Z'); // 7 days before the deadline's date in Manila (Thu 04-23, 11:59 AM)
    expect(mailTo(campus).some((m) => m.subject.includes('Required campus meeting'))).toBe(true);
    expect(mailTo(campus).some((m) => m.subject.includes('Reminder: LeadEd503x Portfolio'))).toBe(true);
    expect(nudgesTo(campus)).toHaveLength(0);
    for (const who of [learner, optedOut]) {
      expect(mailTo(who).filter((m) => !m.subject.includes('] This week: ') && !m.subject.includes('Virtual office hours'))).toEqual([]);
    }
    const kinds = new Set((await remindersOf(learner)).map((r) => r.kind));
    expect([...kinds].sort()).toEqual(['office_hours', 'weekly_nudge']);
    expect((await remindersOf(optedOut)).filter((r) => r.kind === 'office_hours')).toEqual([]);
    expect(await remindersOf(gone)).toEqual([]);
    expect(mailTo(gone)).toHaveLength(0);
  });

  await step('the instructor’s reminders page names the new kinds', async () => {
    const page = (await instructor.get('/instructor/reminders?kind=office_hours').expect(200)).text;
    expect(page).toContain('Virtual office hours: Virtual office hours');
    expect(page).toContain('Office Hours Fan');
    const nudges = (await instructor.get('/instructor/reminders?kind=weekly_nudge').expect(200)).text;
    expect(nudges).toContain('Weekly lesson nudge: LeadEd503x Lesson 05 — Achieving Quality at Scale');
    expect(nudges).toContain('Community');
    expect(nudges).toMatch(/<option value="weekly_nudge" selected/);
    // The worker did not run on Monday 04-13: that nudge was skipped, not sent mid-week; its preview renders it as it would read now.
    const missed = await t.db
      .selectFrom('reminder')
      .select(['id', 'status', 'reason'])
      .where('user_id', '=', learner.id)
      .where('kind', '=', 'weekly_nudge')
      .where('target_on', '=', '2020-04-13')
      .executeTakeFirstOrThrow();
    expect([missed.status, missed.reason]).toEqual(['skipped', 'The lesson week’s Monday was over before this nudge was sent.']);
    const preview = (await instructor.get(`/instructor/reminders/${missed.id}/preview`).expect(200)).text;
    expect(preview).toContain('This week: LeadEd503x Lesson 06 — Putting It All Together');
  });
});
