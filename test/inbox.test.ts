import { aStudent, anExtensionRequest, portfolioId, restoreClockAfterEach, userIdOf } from './helpers/builders';
import { step } from './helpers/story';
import { withBase } from './helpers/versions';
import { startTestApp, type TestApp } from './helpers/test-app';

/**
 * The inbox and the notices (issue 16): a portfolio submission, an extension decision, feedback
 * and a peer assessment about a student each give that student one inbox entry and one email
 * (through the outbox, with the real in-process SMTP server); announcements are in the inbox of
 * every student who may read them, including those who joined after they were sent; the menu
 * shows the unread count; opening marks read; nobody opens another's notice.
 */
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ now: '2020-02-24T15:00:00Z' });
}, 60_000);
afterAll(() => t.close());
restoreClockAfterEach(() => t);

const menuCount = (html: string) => {
  const m = /<a href="\/inbox"[^>]*>Inbox(?: <span class="nav-count">(\d+)<span class="visually-hidden"> unread<\/span><\/span>)?<\/a>/.exec(html);
  if (!m) throw new Error('no Inbox entry in the menu');
  return Number(m[1] ?? 0);
};

async function noticesOf(userId: number) {
  return t.db.selectFrom('notice').selectAll().where('user_id', '=', userId).orderBy('id').execute();
}

test('submitting a portfolio gives one confirmation email and one inbox entry; opening it marks it read and leads to the submission', async () => {
  const ava = await aStudent(t, { name: 'Ava O’Brien & Co', email: 'inbox-ava@cohort.example', timeZone: 'Asia/Manila' });
  const session = await ava.login();
  const requirementId = await portfolioId(t, 'LeadEd502x');
  let before = 0;

  await step('the menu counts what is unread before (the seeded announcements, if any)', async () => {
    before = menuCount((await session.get('/').expect(200)).text);
  });

  let submissionUrl = '';
  await step('the student submits (incomplete, confirmed) through the form', async () => {
    const res = await session.post(`/portfolios/${requirementId}/submit`, { confirm: 'yes' });
    expect(res.status).toBe(303);
    submissionUrl = res.headers.location;
    expect(submissionUrl).toMatch(new RegExp(`^/portfolios/${requirementId}/submissions/\\d+$`));
  });

  await step('one notice, one email: on time, what was frozen, what was missing, in the student’s zone', async () => {
    const notices = await noticesOf(ava.id);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ kind: 'portfolio_submitted', subject: 'Your LeadEd502x Portfolio was submitted', url: submissionUrl, read_at: null });
    expect(notices[0].body).toMatch(/^Recorded Mon, Feb 24, 2020, 11:00 PM GMT\+8: on time \(due Thu, Feb 27, 2020, 12:59 PM GMT\+8\)\. Frozen: /);
    expect(notices[0].body).toContain('Missing: ');
    await t.runWorker();
    const mails = t.smtp.messages.filter((m) => m.to.includes(ava.email) && m.subject.includes('Submitted'));
    expect(mails.map((m) => m.subject)).toEqual(['[EDUC 551/639] Submitted: LeadEd502x Portfolio (on time)']);
    expect(mails[0].text).toContain('Hello Ava O’Brien & Co,'); // plain text is real text
    expect(mails[0].text).toContain(`${t.ctx.config.baseUrl}${submissionUrl}`);
    expect(mails[0].text).toMatch(/Missing when you submitted:\n- /);
  });

  await step('the inbox lists it unread and the menu counts one more', async () => {
    const page = (await session.get('/inbox').expect(200)).text;
    expect(menuCount(page)).toBe(before + 1);
    expect(page).toContain('Your LeadEd502x Portfolio was submitted');
    const [notice] = await noticesOf(ava.id);
    expect(page).toMatch(
      new RegExp(`<span class="badge badge-info">Unread</span>\\s*<span class="inbox-kind">Notice:</span>\\s*<a href="/inbox/notices/${notice.id}">`),
    );
  });

  await step('another student cannot open it (404) and it stays unread; its owner opens it: read, to the submission', async () => {
    const [notice] = await noticesOf(ava.id);
    const other = await aStudent(t, { email: 'inbox-other@cohort.example' });
    await (await other.login()).get(`/inbox/notices/${notice.id}`).expect(404);
    expect((await noticesOf(ava.id))[0].read_at).toBeNull();
    t.clock.set('2020-02-24T16:00:00Z');
    const res = await session.get(`/inbox/notices/${notice.id}`).expect(303);
    expect(res.headers.location).toBe(submissionUrl);
    expect((await noticesOf(ava.id))[0].read_at?.toISOString()).toBe('2020-02-24T16:00:00.000Z');
    expect(menuCount((await session.get('/').expect(200)).text)).toBe(before);
  });

  await step('submitting again is a second submission and a second notice; a late one says late', async () => {
    t.clock.set('2020-02-28T15:00:00Z');
    await session.post(`/portfolios/${requirementId}/submit`, { confirm: 'yes' });
    const notices = await noticesOf(ava.id);
    expect(notices).toHaveLength(2);
    expect(notices[1].body).toMatch(/: late by 1 day, 10 hours \(due Thu, Feb 27, 2020, 12:59 PM GMT\+8\)/);
    await t.runWorker();
    expect(t.smtp.messages.filter((m) => m.to.includes(ava.email) && m.subject.includes('Submitted')).map((m) => m.subject)).toEqual([
      '[EDUC 551/639] Submitted: LeadEd502x Portfolio (on time)',
      '[EDUC 551/639] Submitted: LeadEd502x Portfolio (late)',
    ]);
  });
});

test('an announcement sent before a student joined is in their inbox, unread; opening it marks it read; "mark all as read" clears the rest', async () => {
  const instructor = await t.login('instructor@cohort.example');
  for (const subject of ['Inbox: before you joined', 'Inbox: also before'])
    await instructor.post('/instructor/announcements', { audience: 'all', subject, body: 'Read the syllabus.', nonce: crypto.randomUUID() });
  const announcement = await t.db.selectFrom('announcement').select('id').where('subject', '=', 'Inbox: before you joined').executeTakeFirstOrThrow();
  const late = await aStudent(t, { email: 'inbox-late@cohort.example', createdAt: '2020-02-24T15:30:00Z' });
  const session = await late.login();
  const page = (await session.get('/inbox').expect(200)).text;
  expect(page).toContain(`<a href="/announcements/${announcement.id}">Inbox: before you joined</a>`);
  const unreadBefore = menuCount(page);
  expect(unreadBefore).toBeGreaterThanOrEqual(2);
  // No email went to a student who was not there when it was sent: the inbox is how they read it.
  expect(await t.db.selectFrom('outbound_email').select('id').where('to_address', '=', late.email).where('kind', '=', 'announcement').execute()).toEqual([]);

  await session.get(`/announcements/${announcement.id}`).expect(200);
  await session.get(`/announcements/${announcement.id}`).expect(200); // a second open changes nothing
  expect(await t.db.selectFrom('announcement_read').select('user_id').where('user_id', '=', late.id).execute()).toHaveLength(1);
  expect(menuCount((await session.get('/inbox').expect(200)).text)).toBe(unreadBefore - 1);

  const res = await session.post('/inbox/read-all');
  expect(res.status).toBe(303);
  const after = (await session.get('/inbox').expect(200)).text;
  expect(menuCount(after)).toBe(0);
  expect(after).not.toContain('badge-info">Unread');
  expect(after).toMatch(/Marked \d+ messages? as read\./);
  // The instructor's own menu has no inbox; the route is the students'.
  expect((await instructor.get('/inbox')).status).toBe(403);
});

test('an extension decision, feedback on a graded portfolio and a peer assessment about a student each leave that student one notice and one email', async () => {
  const bea = await aStudent(t, { email: 'inbox-bea@cohort.example', meetingReminders: false });
  const instructor = await t.login('instructor@cohort.example');

  await step('extension approved: a notice and an email', async () => {
    await anExtensionRequest(t, { student: bea, portfolio: 'LeadEd502x', reason: 'Family emergency', proposedDueOn: '2020-03-04' });
    const request = await t.db.selectFrom('extension_request').select('id').where('user_id', '=', bea.id).executeTakeFirstOrThrow();
    const res = await instructor.post(`/instructor/extensions/${request.id}/decide`, {
      decision: 'approve',
      granted_due_on: '2020-03-04',
      message: 'Take care.',
    });
    expect(res.status).toBe(303);
    const [notice] = await noticesOf(bea.id);
    expect(notice).toMatchObject({ kind: 'extension_decision', subject: 'Extension approved: LeadEd502x Portfolio, now due Wed, Mar 4, 2020' });
    expect(notice.body).toContain('Take care.');
  });

  await step('the portfolio is submitted and graded: "feedback is ready" in the inbox, never the grade itself', async () => {
    const requirementId = await portfolioId(t, 'LeadEd502x');
    await (await bea.login()).post(`/portfolios/${requirementId}/submit`, { confirm: 'yes' });
    const submission = await t.db.selectFrom('portfolio_submission').select('id').where('user_id', '=', bea.id).executeTakeFirstOrThrow();
    const path = `/instructor/submissions/${submission.id}/grade`;
    const res = await instructor.post(path, await withBase(instructor, path, path, { grade: 'U', feedback: 'Add your Lesson 03 study guide.' }));
    expect(res.status).toBe(303);
    const notices = await noticesOf(bea.id);
    expect(notices.map((n) => n.kind)).toEqual(['extension_decision', 'portfolio_submitted', 'feedback_ready']);
    expect(notices[2]).toMatchObject({ subject: 'Feedback on your LeadEd502x Portfolio is ready', url: `/portfolios/${requirementId}/feedback` });
    expect(`${notices[2].subject} ${notices[2].body}`).not.toMatch(/\bU\b|unsatisfactory|Lesson 03/i); // the grade and the feedback stay on their page
  });

  await step('a peer assessment of the student is submitted: a notice for them, none for the assessor', async () => {
    const kim = await aStudent(t, { email: 'inbox-kim@cohort.example' });
    const requirementId = await portfolioId(t, 'LeadEd502x');
    const assignment = await t.db
      .insertInto('peer_assignment')
      .values({
        portfolio_requirement_id: requirementId,
        assessor_id: kim.id,
        assessee_id: bea.id,
        assigned_at: t.clock.now(),
        assigned_by: await userIdOf(t, 'instructor@cohort.example'),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const answers = { collegial_interactions: 'Kind', work_products: 'Clear', strength: 'Examples', suggestion: 'Sources', comments: '' };
    const res = await (await kim.login()).post(`/peer-assessments/${assignment.id}`, { ...answers, action: 'submit' });
    expect(res.status).toBe(303);
    const last = (await noticesOf(bea.id)).at(-1)!;
    expect(last).toMatchObject({ kind: 'peer_assessment_received', url: `/peer-assessments/received/${requirementId}` });
    expect(last.subject).not.toContain(kim.name); // it does not name the assessor
    expect(await noticesOf(kim.id)).toEqual([]);
  });

  await step('one email per notice, each once', async () => {
    await t.runWorker();
    await t.runWorker();
    const subjects = t.smtp.messages.filter((m) => m.to.includes(bea.email)).map((m) => m.subject.replace('[EDUC 551/639] ', ''));
    expect(subjects.sort()).toEqual(
      [
        'Extension approved: LeadEd502x Portfolio, now due Wed, Mar 4, 2020',
        'Submitted: LeadEd502x Portfolio (on time)',
        'Feedback on your LeadEd502x Portfolio is ready',
        'A peer assessment of your work was submitted (LeadEd502x Portfolio)',
      ].sort(),
    );
  });
});
