import { sql } from 'kysely';
import { buildContext } from '../src/bootstrap';
import { loadConfig } from '../src/config';
import type { AppContext } from '../src/context';
import { postgresDatabase, type DatabaseHandle } from '../src/db/connect';
import { smtpSender } from '../src/mail/transport';
import { runDigestFor } from '../src/digest/digest.service';
import { usersRepository } from '../src/accounts/users.repository';
import { runJobsOnce } from '../src/worker/worker';
import { aStudent, anInstructor, portfolioId, restoreClockAfterEach, type BuiltStudent } from './helpers/builders';
import { testDatabaseUrl, urlForDatabase } from './helpers/db';
import { step } from './helpers/story';
import { ENV_FOR_TESTS, startTestApp, type TestApp } from './helpers/test-app';

/**
 * The instructor's daily digest (issue 16): at 08:00 in the instructor's own zone, only when there
 * is something new (extension requests, absence notices, late submissions, students newly behind
 * by 2+ lessons, undeliverable addresses), once per day whatever the number of app instances,
 * through the outbox, with one-click unsubscribe. Students act through the app's forms; the
 * worker runs at chosen clock times. Each test makes its own instructor (digest runs are per
 * instructor) and uses its own days of the semester, so tests run in any order.
 */
const SECRET = 'digest-test-shared-session-secret-0123456789';
let t: TestApp;
let second: { ctx: AppContext; handle: DatabaseHandle | null };
let req502: number;
let req503: number;
const meetings: Record<string, number> = {};

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
  t = await startTestApp({ now: '2020-01-06T12:00:00Z', env: { SESSION_SECRET: SECRET } });
  second = await secondInstance();
  req502 = await portfolioId(t, 'LeadEd502x');
  req503 = await portfolioId(t, 'LeadEd503x');
  const rows = await t.db.selectFrom('calendar_event').select(['id', 'starts_at']).where('kind', '=', 'campus_meeting').execute();
  for (const m of rows) meetings[m.starts_at.toISOString().slice(0, 10)] = m.id;
});
afterAll(async () => {
  second.ctx.mail.close();
  await second.handle?.close();
  await t.close();
});
restoreClockAfterEach(() => t);

/** Runs the worker (every job, digest then delivery) as of `instant`. */
async function at(instant: string): Promise<void> {
  t.clock.set(instant);
  await t.runWorker();
}

/** The digests delivered to an instructor for a day, e.g. 'Tue, Feb 11'. */
const digestsOn = (who: { email: string }, day: string) =>
  t.smtp.messages.filter((m) => m.to.includes(who.email) && m.subject.includes(`Daily digest, ${day}:`));

const runOf = (instructorId: number, localDate: string) =>
  t.db.selectFrom('digest_run').selectAll().where('instructor_id', '=', instructorId).where('local_date', '=', localDate).executeTakeFirst();

const header = (raw: string, name: string) => new RegExp(`^${name}: (.*)\\r?$`, 'im').exec(raw.replace(/\r?\n[ \t]+/g, ' '))?.[1];

/** The lines of one section of the plain-text digest (its heading to the next blank-line-separated heading). */
function sectionOf(text: string, heading: string): string[] {
  const start = text.indexOf(`${heading} (`);
  if (start < 0) return [];
  const rest = text.slice(start).split('\n').slice(1);
  const end = rest.findIndex((line) => /^[A-Z][A-Z0-9 +]+ \(\d+\)$/.test(line) || line.startsWith('You get this digest'));
  return (end < 0 ? rest : rest.slice(0, end)).filter((line) => line.startsWith('- '));
}

async function requestExtension(student: BuiltStudent, requirementId: number, when: string, proposed: string, reason: string) {
  t.clock.set(when);
  const res = await (await student.login()).post(`/portfolios/${requirementId}/extension`, { reason, proposed_due_on: proposed });
  expect(res.status).toBe(303);
  const row = await t.db
    .selectFrom('extension_request')
    .select('id')
    .where('user_id', '=', student.id)
    .where('status', '=', 'pending')
    .executeTakeFirstOrThrow();
  return row.id;
}

test('the digest story: 08:00 in the instructor’s zone, once across two instances, only new items, nothing on a quiet day, late but not lost, one-click opt-out', async () => {
  const maya = await anInstructor(t, { name: 'Maya Instructor' });
  const olivia = await aStudent(t, { name: 'Olivia O’Brien & Co' });
  const miguel = await aStudent(t, { name: "Miguel D'Souza", timeZone: 'Asia/Manila' });
  const rosa = await aStudent(t, { name: 'Rosa Park' });
  let oliviaRequest = 0;
  let unsubscribePath = '';

  await step('the first digest (Mon, Feb 10, 08:00 EST) lists who is behind by 2+ and starts the record', async () => {
    await at('2020-02-10T13:00:00Z');
    const [first, ...more] = digestsOn(maya, 'Mon, Feb 10');
    expect(more).toHaveLength(0);
    expect(first.text).toContain('This is your first digest');
    // Four lessons are expected in the week of Feb 10; the built students have none complete.
    expect(sectionOf(first.text, 'BEHIND BY 2 OR MORE LESSONS')).toContain('- Rosa Park: behind by 4 lessons; catching up starts at LeadEd502x Lesson 01');
    const run = await runOf(maya.id, '2020-02-10');
    expect(run).toMatchObject({ outcome: 'queued', window_start: new Date('2020-02-09T13:00:00Z'), window_end: new Date('2020-02-10T13:00:00Z') });
    expect(run!.behind_user_ids).toEqual(expect.arrayContaining([olivia.id, miguel.id, rosa.id]));
  });

  await step('during the day a student requests an extension and another sends an absence notice, through their forms', async () => {
    oliviaRequest = await requestExtension(olivia, req502, '2020-02-10T15:30:00Z', '2020-03-04', 'My school’s testing week');
    t.clock.set('2020-02-10T16:00:00Z');
    const notice = await (await miguel.login()).post(`/attendance/${meetings['2020-02-17']}/absence-notice`, { reason: 'Flying back from Manila' });
    expect(notice.status).toBe(303);
  });

  await step('at 07:59 in the instructor’s zone (12:59Z in February) there is no digest yet', async () => {
    await at('2020-02-11T12:59:00Z');
    expect(digestsOn(maya, 'Tue, Feb 11')).toHaveLength(0);
    expect(await runOf(maya.id, '2020-02-11')).toBeUndefined();
  });

  await step('at 08:00 (13:00Z) two app instances run their workers at once: one digest, listing the new extension request', async () => {
    t.clock.set('2020-02-11T13:00:00Z');
    await Promise.all([t.runWorker(), runJobsOnce(second.ctx)]);
    const [digest, ...more] = digestsOn(maya, 'Tue, Feb 11');
    expect(more).toHaveLength(0);
    expect(digest.subject).toBe('[EDUC 551/639] Daily digest, Tue, Feb 11: 1 extension request, 1 absence notice');
    expect(sectionOf(digest.text, 'NEW EXTENSION REQUESTS')).toEqual([
      '- Olivia O’Brien & Co: LeadEd502x Portfolio: asks for Wed, Mar 4, 2020; requested Mon, Feb 10, 2020, 10:30 AM EST, before the due date (now pending). Reason: My school’s testing week',
    ]);
    expect(digest.text).toContain(`http://cohort.test/instructor/extensions/${oliviaRequest}`);
    expect(sectionOf(digest.text, 'ABSENCE NOTICES')).toEqual([
      "- Miguel D'Souza: expects to miss Campus meeting: LeadEd502x · Lesson 06 (Mon, Feb 17, 2020, 5:00 PM EST); sent Mon, Feb 10, 2020, 11:00 AM EST. Reason: Flying back from Manila",
    ]);
    expect(digest.text).toContain(`http://cohort.test/instructor/attendance/${meetings['2020-02-17']}`);
    for (const absent of ['LATE SUBMISSIONS', 'BEHIND BY', 'UNDELIVERABLE']) expect(digest.text).not.toContain(absent);
    expect(digest.text).not.toMatch(/&#39;|&amp;|&#\d+;/); // plain text is text
    expect(digest.html).toContain(`<a href="http://cohort.test/instructor/extensions/${oliviaRequest}">`);
    expect(digest.html).toContain('Olivia O’Brien &amp; Co');
    expect(header(digest.raw, 'List-Unsubscribe')).toMatch(new RegExp(`^<http://cohort\\.test/unsubscribe/${maya.id}\\.digest\\.[A-Za-z0-9_-]{43}>$`));
    expect(header(digest.raw, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    const run = await runOf(maya.id, '2020-02-11');
    expect(run).toMatchObject({ outcome: 'queued', window_start: new Date('2020-02-10T13:00:00Z'), window_end: new Date('2020-02-11T13:00:00Z') });
    expect(run!.outbound_email_id).not.toBeNull();
  });

  await step('running the workers again that day, on either instance, sends no second digest', async () => {
    await at('2020-02-11T13:05:00Z');
    await runJobsOnce(second.ctx);
    await at('2020-02-11T23:00:00Z');
    expect(digestsOn(maya, 'Tue, Feb 11')).toHaveLength(1);
    const queued = await t.db.selectFrom('outbound_email').select(['status', 'kind']).where('dedupe_key', '=', `digest:${maya.id}:2020-02-11`).execute();
    expect(queued).toEqual([{ status: 'sent', kind: 'digest' }]);
  });

  await step('the Reminders page lists the instructor’s digests from the outbox, with their delivery', async () => {
    const page = (await (await maya.login()).get('/instructor/reminders').expect(200)).text;
    const digests = page.slice(page.indexOf('<h2 id="digests-heading">'));
    expect(digests).toContain(
      '<li><span class="badge badge-ok">Sent</span> [EDUC 551/639] Daily digest, Tue, Feb 11: 1 extension request, 1 absence notice <span class="hint">sent Tue, Feb 11, 2020, 8:00 AM EST</span></li>',
    );
    expect(digests).toContain('Daily digest, Mon, Feb 10:');
  });

  await step('the next day lists only what is new since the last digest', async () => {
    const rosaRequest = await requestExtension(rosa, req502, '2020-02-11T18:00:00Z', '2020-03-02', 'A family wedding');
    await at('2020-02-12T13:00:00Z');
    const [digest, ...more] = digestsOn(maya, 'Wed, Feb 12');
    expect(more).toHaveLength(0);
    expect(digest.subject).toBe('[EDUC 551/639] Daily digest, Wed, Feb 12: 1 extension request');
    expect(sectionOf(digest.text, 'NEW EXTENSION REQUESTS')).toHaveLength(1);
    expect(digest.text).toContain(`- Rosa Park: LeadEd502x Portfolio: asks for Mon, Mar 2, 2020`);
    expect(digest.text).toContain(`http://cohort.test/instructor/extensions/${rosaRequest}`);
    expect(digest.text).not.toContain('Olivia');
    expect(digest.text).not.toContain('Miguel');
  });

  await step('a day with nothing new sends nothing, and still records the day so the window moves', async () => {
    await at('2020-02-13T13:00:00Z');
    expect(digestsOn(maya, 'Thu, Feb 13')).toHaveLength(0);
    expect(await runOf(maya.id, '2020-02-13')).toMatchObject({
      outcome: 'nothing_new',
      outbound_email_id: null,
      window_start: new Date('2020-02-12T13:00:00Z'),
    });
  });

  await step('a worker that was down at 08:00 sends the day’s digest at its next tick: late, not lost', async () => {
    const replacing = await requestExtension(olivia, req502, '2020-02-14T14:00:00Z', '2020-03-05', 'Testing week moved');
    await at('2020-02-14T19:00:00Z');
    const [digest] = digestsOn(maya, 'Fri, Feb 14');
    expect(digest.subject).toBe('[EDUC 551/639] Daily digest, Fri, Feb 14: 1 extension request');
    expect(digest.text).toContain('- Olivia O’Brien & Co: LeadEd502x Portfolio: asks for Thu, Mar 5, 2020; requested Fri, Feb 14, 2020, 9:00 AM EST');
    expect(digest.text).toContain(`http://cohort.test/instructor/extensions/${replacing}`);
    expect(await runOf(maya.id, '2020-02-14')).toMatchObject({ window_start: new Date('2020-02-13T13:00:00Z'), window_end: new Date('2020-02-14T19:00:00Z') });
    unsubscribePath = /<http:\/\/cohort\.test(\/unsubscribe\/[^>]+)>/.exec(header(digest.raw, 'List-Unsubscribe') ?? '')![1];
  });

  await step('a one-click POST to the digest’s unsubscribe link turns it off; the settings page shows it off', async () => {
    const res = await t.anonymous().agent.post(unsubscribePath).type('form').send('List-Unsubscribe=One-Click');
    expect(res.status).toBe(200);
    expect(res.text).toContain('You will no longer receive daily digests by email.');
    const row = await t.db.selectFrom('app_user').select(['digest_emails']).where('id', '=', maya.id).executeTakeFirstOrThrow();
    expect(row.digest_emails).toBe(false);
    const settings = (await (await maya.login()).get('/settings')).text;
    expect(settings).toMatch(/<input type="checkbox" id="digestEmails" name="digestEmails" aria-describedby="digestEmails-hint">/); // not checked
  });

  await step('the next day, with a new request, no digest is sent (the run is recorded as opted out)', async () => {
    await requestExtension(rosa, req502, '2020-02-14T20:00:00Z', '2020-03-06', 'The wedding moved');
    await at('2020-02-15T13:00:00Z');
    expect(digestsOn(maya, 'Sat, Feb 15')).toHaveLength(0);
    expect(await runOf(maya.id, '2020-02-15')).toMatchObject({ outcome: 'opted_out', outbound_email_id: null });
  });

  await step('turning it back on in the settings sends the next day’s digest again', async () => {
    const s = await maya.login();
    expect((await s.post('/settings', { timeZone: 'America/Detroit', digestEmails: 'on' })).status).toBe(303);
    // The instructor's form carries only the digest: the student kinds of email are left as they were.
    const row = await t.db
      .selectFrom('app_user')
      .select(['digest_emails', 'meeting_reminders', 'announcement_emails'])
      .where('id', '=', maya.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ digest_emails: true, meeting_reminders: true, announcement_emails: true });
    await requestExtension(olivia, req502, '2020-02-15T20:00:00Z', '2020-03-06', 'One more day, please');
    await at('2020-02-16T13:00:00Z');
    expect(digestsOn(maya, 'Sun, Feb 16').map((m) => m.subject)).toEqual(['[EDUC 551/639] Daily digest, Sun, Feb 16: 1 extension request']);
  });
});

test('students newly behind by 2+ lessons are listed once, with the exact count; a dropped student is not', async () => {
  const ian = await anInstructor(t, { name: 'Ian Instructor' });
  const priya = await aStudent(t, { name: 'Priya Behind' });
  const sam = await aStudent(t, { name: 'Sam Dropped' });

  await step('Tue, Jan 21: one lesson is expected, so nobody is behind by 2: nothing to send', async () => {
    await at('2020-01-21T13:00:00Z');
    expect(digestsOn(ian, 'Tue, Jan 21')).toHaveLength(0);
    expect(await runOf(ian.id, '2020-01-21')).toMatchObject({ outcome: 'nothing_new', behind_user_ids: [] });
  });

  await step('the instructor drops Sam from the roster', async () => {
    t.clock.set('2020-01-27T15:00:00Z');
    expect((await (await ian.login()).post(`/instructor/roster/students/${sam.id}/drop`)).status).toBe(303);
  });

  await step('Tue, Jan 28: two lessons expected: Priya is newly behind, listed with a link; the count is exact', async () => {
    await at('2020-01-28T13:00:00Z');
    const [digest, ...more] = digestsOn(ian, 'Tue, Jan 28');
    expect(more).toHaveLength(0);
    const behind = sectionOf(digest.text, 'NEWLY BEHIND BY 2 OR MORE LESSONS');
    expect(behind).toContain('- Priya Behind: behind by 2 lessons; catching up starts at LeadEd502x Lesson 01');
    expect(digest.text).toContain(`http://cohort.test/instructor/roster/students/${priya.id}`);
    expect(digest.text).not.toContain('Sam Dropped');
    const run = await runOf(ian.id, '2020-01-28');
    expect(run!.behind_user_ids).toContain(priya.id);
    expect(run!.behind_user_ids).not.toContain(sam.id);
    expect(behind).toHaveLength((run!.behind_user_ids as number[]).length); // all newly behind: nobody was at 2+ on Jan 21
    const n = behind.length;
    expect(digest.subject).toBe(`[EDUC 551/639] Daily digest, Tue, Jan 28: ${n} student${n === 1 ? '' : 's'} newly behind by 2+ lessons`);
    expect(digest.text).toContain(`NEWLY BEHIND BY 2 OR MORE LESSONS (${n})`);
  });

  await step('Wed, Jan 29: Priya is still behind, but not newly: no digest', async () => {
    await at('2020-01-29T13:00:00Z');
    expect(digestsOn(ian, 'Wed, Jan 29')).toHaveLength(0);
    expect(await runOf(ian.id, '2020-01-29')).toMatchObject({ outcome: 'nothing_new' });
  });
});

test('a late submission and an undeliverable address appear in the next digest, in the instructor’s zone (London)', async () => {
  const lucy = await anInstructor(t, { name: 'Lucy Instructor', timeZone: 'Europe/London' });
  const lena = await aStudent(t, { name: 'Lena Late' });
  const bo = await aStudent(t, { name: 'Bo Bounce', email: 'bo.bounce@cohort.example' });
  let submissionId = 0;

  await step('the first digest goes at 08:00 London time (08:00Z in February)', async () => {
    await at('2020-02-27T07:59:00Z');
    expect(digestsOn(lucy, 'Thu, Feb 27')).toHaveLength(0);
    await at('2020-02-27T08:00:00Z');
    expect(digestsOn(lucy, 'Thu, Feb 27')).toHaveLength(1);
  });

  await step('Lena submits her LeadEd502x portfolio a day late, through the form', async () => {
    t.clock.set('2020-02-27T15:00:00Z');
    expect((await (await lena.login()).post(`/portfolios/${req502}/submit`, { confirm: 'yes' })).status).toBe(303);
    submissionId = (await t.db.selectFrom('portfolio_submission').select('id').where('user_id', '=', lena.id).executeTakeFirstOrThrow()).id;
  });

  await step('the mail server refuses Bo’s address (550) for his password reset email', async () => {
    t.smtp.rejectRecipient(bo.email, 550);
    t.clock.set('2020-02-27T16:00:00Z');
    expect((await t.anonymous().post('/forgot-password', { email: bo.email })).status).toBe(200);
    await at('2020-02-27T16:01:00Z');
    const mark = await t.db.selectFrom('undeliverable_address').select('address').where('address', '=', bo.email).executeTakeFirst();
    expect(mark).toBeDefined();
  });

  await step('Fri, Feb 28, 08:00 London: both, with links to where the instructor acts', async () => {
    await at('2020-02-28T08:00:00Z');
    const [digest, ...more] = digestsOn(lucy, 'Fri, Feb 28');
    expect(more).toHaveLength(0);
    expect(digest.subject).toBe('[EDUC 551/639] Daily digest, Fri, Feb 28: 1 late submission, 1 undeliverable address');
    expect(sectionOf(digest.text, 'LATE SUBMISSIONS')).toEqual([
      '- Lena Late: LeadEd502x Portfolio: submitted Thu, Feb 27, 2020, 3:00 PM GMT, 10 hours after their due time (Thu, Feb 27, 2020, 4:59 AM GMT), incomplete',
    ]);
    expect(digest.text).toContain(`http://cohort.test/instructor/submissions/${submissionId}/grade`);
    const [bounce] = sectionOf(digest.text, 'UNDELIVERABLE EMAIL ADDRESSES');
    expect(bounce).toMatch(/^- Bo Bounce: bo\.bounce@cohort\.example: the mail server refused it Thu, Feb 27, 2020, 4:01 PM GMT \(.*Mailbox unavailable.*\)/);
    expect(digest.text).toContain(`http://cohort.test/instructor/roster/students/${bo.id}`);
    expect(digest.text).toContain('from Thu, Feb 27, 2020, 8:00 AM GMT to Fri, Feb 28, 2020, 8:00 AM GMT (your time zone, Europe/London)');
  });
  t.smtp.acceptRecipient(bo.email);
});

test('after the DST change (2020-03-08) 08:00 in Detroit is 12:00Z: the digest goes at 12:00Z', async () => {
  const dana = await anInstructor(t, { name: 'Dana Instructor' });
  const kim = await aStudent(t, { name: 'Kim Spring' });

  await step('Mon, Mar 9: the first digest at 12:00Z (08:00 EDT), not at 13:00Z', async () => {
    await at('2020-03-09T11:59:00Z');
    expect(digestsOn(dana, 'Mon, Mar 9')).toHaveLength(0);
    await at('2020-03-09T12:00:00Z');
    expect(digestsOn(dana, 'Mon, Mar 9')).toHaveLength(1);
  });

  const request = await requestExtension(kim, req503, '2020-03-09T15:00:00Z', '2020-04-29', 'Spring conference');

  await step('Tue, Mar 10: nothing at 11:59Z; at 12:00Z the digest lists Kim’s request, times in EDT', async () => {
    await at('2020-03-10T11:59:00Z');
    expect(digestsOn(dana, 'Tue, Mar 10')).toHaveLength(0);
    await at('2020-03-10T12:00:00Z');
    const [digest, ...more] = digestsOn(dana, 'Tue, Mar 10');
    expect(more).toHaveLength(0);
    expect(digest.subject).toBe('[EDUC 551/639] Daily digest, Tue, Mar 10: 1 extension request');
    expect(digest.text).toContain('- Kim Spring: LeadEd503x Portfolio: asks for Wed, Apr 29, 2020; requested Mon, Mar 9, 2020, 11:00 AM EDT');
    expect(digest.text).toContain(`http://cohort.test/instructor/extensions/${request}`);
    expect(await runOf(dana.id, '2020-03-10')).toMatchObject({ window_start: new Date('2020-03-09T12:00:00Z'), window_end: new Date('2020-03-10T12:00:00Z') });
  });
});

test('two workers digesting the same instructor at the same instant: the day’s run is taken once, one email is queued', async () => {
  const olga = await anInstructor(t, { name: 'Olga Instructor' });
  const instructor = (await usersRepository.activeInstructors(t.db)).find((i) => i.id === olga.id)!;
  const now = new Date('2020-04-01T12:30:00Z'); // 08:30 EDT
  const results = await Promise.all([
    runDigestFor(t.db, instructor, now, 'http://cohort.test'),
    runDigestFor(second.ctx.db, instructor, now, 'http://cohort.test'),
    runDigestFor(second.ctx.db, instructor, now, 'http://cohort.test'),
  ]);
  // One run queued the digest; the others found the day taken (waiting on the row's key) or already done.
  expect(results.filter((r) => r.outcome === 'queued')).toHaveLength(1);
  expect(results.filter((r) => r.outcome !== 'queued').every((r) => r.outcome === 'taken' || r.outcome === 'not_yet')).toBe(true);
  const emails = await t.db.selectFrom('outbound_email').select('id').where('dedupe_key', '=', `digest:${olga.id}:2020-04-01`).execute();
  expect(emails).toHaveLength(1);
  expect(await runOf(olga.id, '2020-04-01')).toMatchObject({ outcome: 'queued', outbound_email_id: emails[0].id });
});
