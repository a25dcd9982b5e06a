import { deadlinesFor } from '../src/portfolio/deadlines';
import { aStudent, anExtensionRequest, restoreClockAfterEach, type BuiltStudent } from './helpers/builders';
import { startTestApp, type TestApp } from './helpers/test-app';
import { withBase } from './helpers/versions';

/**
 * Extensions ("arrangements made in advance"): a request records whether it came before the due
 * date; an approval moves the student's due date (and so late marking) and emails them; a decline
 * emails them and leaves the date alone; bad input is refused with 422 and nothing written.
 */
let t: TestApp;
let req502: number;
let offeringId: number;
const userIds = new Map<string, number>();

beforeAll(async () => {
  t = await startTestApp({ now: '2020-02-20T15:00:00Z' });
  const r = await t.db
    .selectFrom('portfolio_requirement as pr')
    .innerJoin('edx_course as c', 'c.id', 'pr.edx_course_id')
    .select(['pr.id', 'c.offering_id'])
    .where('c.code', '=', 'LeadEd502x')
    .executeTakeFirstOrThrow();
  req502 = r.id;
  offeringId = r.offering_id;
  for (const u of await t.db.selectFrom('app_user').select(['id', 'email']).execute()) userIds.set(u.email, u.id);
});
afterAll(() => t.close());
restoreClockAfterEach(() => t);

/** Each test builds its own students (in the zones of the seeded students they replace; each name unique). */
const olivia = () => aStudent(t, { timeZone: 'Europe/London' });
const grace = () => aStudent(t, { timeZone: 'America/Los_Angeles' });
/** Olivia's request made before the due date ('My school’s testing week', for 03/04). */
const oliviasRequest = (student: BuiltStudent) =>
  anExtensionRequest(t, { student, portfolio: 'LeadEd502x', reason: 'My school’s testing week', proposedDueOn: '2020-03-04' });
/** Grace's request made one second after the due instant ('I was ill', for 03/02). */
const gracesRequest = (student: BuiltStudent) =>
  anExtensionRequest(t, { student, portfolio: 'LeadEd502x', reason: 'I was ill', proposedDueOn: '2020-03-02', at: '2020-02-27T00:00:01-05:00' });
const decide = async (requestId: number, form: Record<string, string>) =>
  (await t.login('instructor@cohort.example')).post(`/instructor/extensions/${requestId}/decide`, form);
/** Olivia's request approved for 03/06, then a second ('Still more to finish') approved for 03/13. */
async function oliviaApprovedTwice(student: BuiltStudent) {
  await oliviasRequest(student);
  const [first] = await requestsOf(student.id);
  expect((await decide(first.id, { decision: 'approve', granted_due_on: '2020-03-06', message: 'Fine: thank you for asking in advance.' })).status).toBe(303);
  await anExtensionRequest(t, { student, portfolio: 'LeadEd502x', reason: 'Still more to finish', proposedDueOn: '2020-03-13' });
  const [, second] = await requestsOf(student.id);
  expect((await decide(second.id, { decision: 'approve', granted_due_on: '2020-03-13', message: '' })).status).toBe(303);
}

const requestsOf = (userId: number) => t.db.selectFrom('extension_request').selectAll().where('user_id', '=', userId).orderBy('id').execute();
const mailTo = (student: BuiltStudent, subject: RegExp) => t.smtp.messages.filter((m) => m.to[0] === student.email && subject.test(m.subject));
const due502 = async (userId: number) => (await deadlinesFor(t.db, offeringId, userId)).find((d) => d.requirementId === req502)!;

test('a request made before the due date is recorded as made before; one made after, as after', async () => {
  const s3 = await olivia();
  const oliviaSession = await s3.login();
  const page = await oliviaSession.get(`/portfolios/${req502}/extension`);
  expect(page.status).toBe(200);
  const res = await oliviaSession.post(`/portfolios/${req502}/extension`, { reason: 'My school’s testing week', proposed_due_on: '2020-03-04' });
  expect(res.status).toBe(303);
  const [before] = await requestsOf(s3.id);
  expect(before).toMatchObject({ status: 'pending', made_before_due: true, proposed_due_on: '2020-03-04', reason: 'My school’s testing week' });

  // One second after the due instant (midnight after 02/26, Detroit) counts as after.
  t.clock.set('2020-02-27T00:00:01-05:00');
  const s5 = await grace();
  expect((await (await s5.login()).post(`/portfolios/${req502}/extension`, { reason: 'I was ill', proposed_due_on: '2020-03-02' })).status).toBe(303);
  const [after] = await requestsOf(s5.id);
  expect(after.made_before_due).toBe(false);
  t.clock.set('2020-02-20T15:00:00Z');

  const instructor = await t.login('instructor@cohort.example');
  const list = await instructor.get('/instructor/extensions');
  expect(list.status).toBe(200);
  expect(list.text).toContain(s3.name);
  expect(list.text).toContain(s5.name);
  expect(list.text).toContain('Made before the due date');
  expect(list.text).toContain('Made after the due date');
  expect(list.text).toContain(`/instructor/extensions/${before.id}`);
});

test('approved (with another date): the due date moves, late marking uses it, and the student is emailed', async () => {
  const s3 = await olivia();
  await oliviasRequest(s3);
  const [request] = await requestsOf(s3.id);
  const instructor = await t.login('instructor@cohort.example');
  const detail = await instructor.get(`/instructor/extensions/${request.id}`);
  expect(detail.status).toBe(200);
  expect(detail.text).toContain('My school’s testing week');
  const res = await instructor.post(`/instructor/extensions/${request.id}/decide`, {
    decision: 'approve',
    granted_due_on: '2020-03-06',
    message: 'Fine: thank you for asking in advance.',
  });
  expect(res.status).toBe(303);
  const [approved] = await requestsOf(s3.id);
  expect(approved.status).toBe('approved');
  expect(approved.granted_due_on).toBe('2020-03-06');
  expect(approved.granted_due_at!.toISOString()).toBe('2020-03-07T05:00:00.000Z'); // end of 03/06, EST

  const due = await due502(s3.id);
  expect([due.dueOn, due.extended]).toEqual(['2020-03-06', true]);

  await t.runWorker();
  const [mail] = mailTo(s3, /Extension approved/);
  expect(mail.subject).toContain('LeadEd502x Portfolio');
  expect(mail.text).toContain('APPROVED');
  expect(mail.text).toContain('Fri, Mar 6, 2020');
  expect(mail.text).toContain('Fine: thank you for asking in advance.');
  expect(mail.text).toContain('Europe/London');
  expect(mail.html).toContain('approved');

  const oliviaSession = await s3.login();
  const page = await oliviaSession.get(`/portfolios/${req502}`);
  expect(page.text).toContain('Extended');
  expect(page.text).toContain('Due <strong>Sat, Mar 7, 2020, 4:59 AM GMT</strong>'); // 11:59 PM EST on 03/06, in London
  expect(page.text).toContain('originally Thu, Feb 27, 2020, 4:59 AM GMT');
  // Late marking against the extended date: 23:59:59 on 03/06 Detroit is on time, midnight is late.
  t.clock.set('2020-03-06T23:59:59-05:00');
  expect((await oliviaSession.post(`/portfolios/${req502}/submit`, { confirm: 'yes' })).status).toBe(303);
  t.clock.set('2020-03-07T00:00:00-05:00');
  expect((await oliviaSession.post(`/portfolios/${req502}/submit`, { confirm: 'yes' })).status).toBe(303);
  const subs = await t.db.selectFrom('portfolio_submission').select(['is_late', 'due_at']).where('user_id', '=', s3.id).orderBy('id').execute();
  expect(subs.map((s) => [s.is_late, s.due_at.toISOString()])).toEqual([
    [false, '2020-03-07T05:00:00.000Z'],
    [true, '2020-03-07T05:00:00.000Z'],
  ]);
});

test('declined: the student is emailed and the due date is unchanged', async () => {
  const s5 = await grace();
  await gracesRequest(s5);
  const [request] = await requestsOf(s5.id);
  const instructor = await t.login('instructor@cohort.example');
  const res = await instructor.post(`/instructor/extensions/${request.id}/decide`, {
    decision: 'decline',
    granted_due_on: '',
    message: 'Please submit what you have now.',
  });
  expect(res.status).toBe(303);
  const [declined] = await requestsOf(s5.id);
  expect([declined.status, declined.granted_due_on, declined.granted_due_at, declined.decision_message]).toEqual([
    'declined',
    null,
    null,
    'Please submit what you have now.',
  ]);
  const due = await due502(s5.id);
  expect([due.dueOn, due.extended]).toEqual(['2020-02-26', false]);
  await t.runWorker();
  const [mail] = mailTo(s5, /Extension declined/);
  expect(mail.text).toContain('DECLINED');
  expect(mail.text).toContain('Please submit what you have now.');
  expect(mail.text).toContain('Wed, Feb 26, 2020, 8:59 PM'); // 23:59 Detroit in Los Angeles
  // Deciding again is refused.
  expect(
    (await instructor.post(`/instructor/extensions/${request.id}/decide`, { decision: 'approve', granted_due_on: '2020-03-09', message: '' })).status,
  ).toBe(409);
  expect((await requestsOf(s5.id))[0].status).toBe('declined');
});

test('a newer approval supersedes the earlier approved extension (kept, marked withdrawn)', async () => {
  const s3 = await olivia();
  await oliviasRequest(s3);
  const [first] = await requestsOf(s3.id);
  expect((await decide(first.id, { decision: 'approve', granted_due_on: '2020-03-06', message: 'Fine: thank you for asking in advance.' })).status).toBe(303);
  expect((await (await s3.login()).post(`/portfolios/${req502}/extension`, { reason: 'Still more to finish', proposed_due_on: '2020-03-13' })).status).toBe(
    303,
  );
  const [, second] = await requestsOf(s3.id);
  const instructor = await t.login('instructor@cohort.example');
  expect((await instructor.post(`/instructor/extensions/${second.id}/decide`, { decision: 'approve', granted_due_on: '2020-03-13', message: '' })).status).toBe(
    303,
  );
  const [old, current] = await requestsOf(s3.id);
  expect([old.status, old.granted_due_on, old.granted_due_at]).toEqual(['withdrawn', '2020-03-06', null]);
  expect([current.status, current.granted_due_at!.toISOString()]).toEqual(['approved', '2020-03-14T04:00:00.000Z']); // EDT from 03/08
  expect((await due502(s3.id)).dueOn).toBe('2020-03-13');
});

test('the instructor grants an extension without a request: same effects as an approved one, on record, the student emailed', async () => {
  const s9student = await aStudent(t, { timeZone: 'America/Mexico_City' });
  const uid9 = s9student.id;
  const instructor = await t.login('instructor@cohort.example');
  await t.runWorker(); // reminders planned for the class due date first
  // From the gradebook row: the form comes with the student and portfolio chosen.
  const gradebook = (await instructor.get('/instructor/gradebook').expect(200)).text;
  expect(gradebook).toContain(`/instructor/extensions/grant?student=${uid9}&amp;portfolio=${req502}`);
  const form = (await instructor.get(`/instructor/extensions/grant?student=${uid9}&portfolio=${req502}`).expect(200)).text;
  expect(form).toContain(`<option value="${uid9}" selected>`);
  expect(form).toContain(`<option value="${req502}" selected>`);

  // The student has a request waiting: the grant answers it.
  const s9 = await s9student.login();
  expect((await s9.post(`/portfolios/${req502}/extension`, { reason: 'A week away', proposed_due_on: '2020-03-02' })).status).toBe(303);

  const missing = await instructor.post('/instructor/extensions/grant', {
    student: String(uid9),
    portfolio: String(req502),
    reason: ' ',
    granted_due_on: '2020-03-10',
  });
  expect(missing.status).toBe(422);
  expect(missing.text).toContain('Record why you are granting it');
  expect(missing.text).toContain('value="2020-03-10"');
  const early = await instructor.post('/instructor/extensions/grant', {
    student: String(uid9),
    portfolio: String(req502),
    reason: 'Illness',
    granted_due_on: '2020-02-25',
  });
  expect(early.status).toBe(422);
  expect(early.text).toContain('Choose a date after the original due date');
  const nobody = await instructor.post('/instructor/extensions/grant', {
    student: '999999',
    portfolio: String(req502),
    reason: 'Illness',
    granted_due_on: '2020-03-10',
  });
  expect(nobody.status).toBe(422);
  expect(nobody.text).toContain('Choose an active student of this course.');
  expect((await requestsOf(uid9)).map((r) => r.status)).toEqual(['pending']);

  const res = await instructor.post('/instructor/extensions/grant', {
    student: String(uid9),
    portfolio: String(req502),
    reason: 'Accommodation (SSD letter on file)',
    granted_due_on: '2020-03-10',
  });
  expect(res.status).toBe(303);
  const [answered, granted] = await requestsOf(uid9);
  expect(answered.status).toBe('withdrawn');
  expect([
    granted.status,
    granted.initiated_by,
    granted.reason,
    granted.decided_by,
    granted.granted_due_on,
    granted.granted_due_at!.toISOString(),
    granted.made_before_due,
  ]).toEqual([
    'approved',
    'instructor',
    'Accommodation (SSD letter on file)',
    userIds.get('instructor@cohort.example'),
    '2020-03-10',
    '2020-03-11T04:00:00.000Z', // end of 03/10, EDT
    true,
  ]);
  // The due date moves for every reader: deadlines, the student's pages and calendar (and so the feed), reminders, late marking.
  expect([(await due502(uid9)).dueOn, (await due502(uid9)).extended]).toEqual(['2020-03-10', true]);
  expect((await s9.get(`/portfolios/${req502}`)).text).toContain('Extended');
  expect((await s9.get('/calendar')).text).toContain('LeadEd502x Portfolio due (your extended deadline)');
  await t.runWorker();
  const reminders = await t.db
    .selectFrom('reminder')
    .select(['status', 'reason'])
    .where('user_id', '=', uid9)
    .where('kind', '=', 'portfolio_deadline')
    .where('portfolio_requirement_id', '=', req502)
    .execute();
  expect(
    reminders.some((r) => r.status === 'cancelled' && r.reason === 'The deadline moved to Tue, Mar 10, 2020 (extension); reminders follow the new date.'),
  ).toBe(true);
  const [mail] = mailTo(s9student, /Extension granted/);
  expect(mail.subject).toContain('now due Tue, Mar 10, 2020');
  expect(mail.text).toContain('has GRANTED you an extension');
  expect(mail.text).toContain('Accommodation (SSD letter on file)');
  t.clock.set('2020-03-10T23:59:00-04:00');
  expect((await s9.post(`/portfolios/${req502}/submit`, { confirm: 'yes' })).status).toBe(303);
  t.clock.set('2020-02-20T15:00:00Z');
  expect((await t.db.selectFrom('portfolio_submission').select('is_late').where('user_id', '=', uid9).executeTakeFirstOrThrow()).is_late).toBe(false);

  // On record: the extensions list and the gradebook say who granted it; so does the CSV.
  expect((await instructor.get('/instructor/extensions?status=approved')).text).toContain('Granted by the instructor');
  const row = (await instructor.get('/instructor/gradebook')).text.split('<tr>').find((r) => r.includes(s9student.email))!;
  expect(row).toContain('(granted by the instructor)');
  const csv = (await instructor.get('/instructor/gradebook.csv')).text.split(/\r?\n/);
  const header = csv[0].replace(/^\uFEFF/, '').split(',');
  const cells = csv.find((l) => l.includes(s9student.email))!.split(',');
  expect([cells[header.indexOf('LeadEd502x_extension')], cells[header.indexOf('LeadEd502x_extension_granted_by')]]).toEqual(['2020-03-10', 'instructor']);
});

describe('invalid input is refused with 422, the input kept and nothing written', () => {
  test('student: empty reason, malformed, impossible, past and too-early dates', async () => {
    const s6 = await aStudent(t, { section: 'EDUC 639', timeZone: 'Africa/Lagos' });
    const chidi = await s6.login();
    const cases: [Record<string, string>, string][] = [
      [{ reason: '  ', proposed_due_on: '2020-03-04' }, 'Tell the instructor why you need more time.'],
      [{ reason: 'Travel for work', proposed_due_on: 'next week' }, 'Enter the date as YYYY-MM-DD'],
      [{ reason: 'Travel for work', proposed_due_on: '2020-02-30' }, 'That date does not exist.'],
      [{ reason: 'Travel for work', proposed_due_on: '2020-02-10' }, 'That date has passed'],
      [{ reason: 'Travel for work', proposed_due_on: '2020-02-26' }, 'Choose a date after your current due date'],
      [{ reason: 'Travel for work', proposed_due_on: '2021-01-01' }, 'no later than'],
    ];
    for (const [form, message] of cases) {
      const res = await chidi.post(`/portfolios/${req502}/extension`, form);
      expect(res.status).toBe(422);
      expect(res.text).toContain(message);
      if (form.proposed_due_on) expect(res.text).toContain(`value="${form.proposed_due_on}"`);
      if (form.reason.trim()) expect(res.text).toContain(`>${form.reason}</textarea>`);
    }
    expect(await requestsOf(s6.id)).toHaveLength(0);
  });

  test('instructor: a bad date or a decline without a message changes nothing and emails no one', async () => {
    const s7 = await aStudent(t, { timeZone: 'Asia/Karachi' });
    const ayesha = await s7.login();
    expect((await ayesha.post(`/portfolios/${req502}/extension`, { reason: 'Surgery', proposed_due_on: '2020-03-04' })).status).toBe(303);
    const [request] = await requestsOf(s7.id);
    const outboxBefore = await t.db.selectFrom('outbound_email').select('id').execute();
    const instructor = await t.login('instructor@cohort.example');
    for (const [form, message] of [
      [{ decision: 'approve', granted_due_on: 'soon', message: 'ok' }, 'Enter the date as YYYY-MM-DD'],
      [{ decision: 'approve', granted_due_on: '2020-02-25', message: 'ok' }, 'Choose a date after the original due date'],
      [{ decision: 'decline', granted_due_on: '', message: '' }, 'Tell the student why you are declining.'],
      [{ decision: 'maybe', granted_due_on: '2020-03-04', message: '' }, 'Choose approve or decline.'],
    ] as const) {
      const res = await instructor.post(`/instructor/extensions/${request.id}/decide`, form);
      expect(res.status).toBe(422);
      expect(res.text).toContain(message);
      if (form.granted_due_on) expect(res.text).toContain(`value="${form.granted_due_on}"`);
    }
    expect((await requestsOf(s7.id))[0]).toMatchObject({ status: 'pending', decided_at: null, granted_due_at: null });
    expect(await t.db.selectFrom('outbound_email').select('id').execute()).toHaveLength(outboxBefore.length);
  });
});

describe('authorization', () => {
  test('a student sees only their own requests and cannot reach the instructor’s pages', async () => {
    const s3 = await olivia();
    await oliviaApprovedTwice(s3);
    const [aRequest] = await requestsOf(s3.id);
    const miguel = await t.login('student2@cohort.example');
    expect((await miguel.get(`/instructor/extensions/${aRequest.id}`)).status).toBe(403);
    expect((await miguel.get('/instructor/extensions')).status).toBe(403);
    expect((await miguel.post(`/instructor/extensions/${aRequest.id}/decide`, { decision: 'approve', granted_due_on: '2020-03-20', message: '' })).status).toBe(
      403,
    );
    const own = await miguel.get(`/portfolios/${req502}/extension`);
    expect(own.status).toBe(200);
    expect(own.text).not.toContain('My school’s testing week');
    expect(own.text).toContain('You have not requested an extension');
    expect((await miguel.get('/portfolios/999999/extension')).status).toBe(404);
    const instructor = await t.login('instructor@cohort.example');
    expect((await instructor.get(`/portfolios/${req502}/extension`)).status).toBe(403);
    expect((await instructor.get('/instructor/extensions/999999')).status).toBe(404);
    expect((await requestsOf(s3.id)).map((r) => r.status)).toEqual(['withdrawn', 'approved']);
  });

  test('the instructor filters requests by status', async () => {
    const [s3, s5, s7] = [await olivia(), await grace(), await aStudent(t, { timeZone: 'Asia/Karachi' })];
    await oliviaApprovedTwice(s3);
    await gracesRequest(s5);
    expect(
      (await decide((await requestsOf(s5.id))[0].id, { decision: 'decline', granted_due_on: '', message: 'Please submit what you have now.' })).status,
    ).toBe(303);
    await anExtensionRequest(t, { student: s7, portfolio: 'LeadEd502x', reason: 'Surgery', proposedDueOn: '2020-03-04' });
    const instructor = await t.login('instructor@cohort.example');
    const pending = await instructor.get('/instructor/extensions');
    expect(pending.text).toContain(s7.name);
    expect(pending.text).not.toContain(s5.name);
    const all = await instructor.get('/instructor/extensions?status=all');
    expect(all.text).toContain(s5.name);
    expect(all.text).toContain(s3.name);
    const declined = await instructor.get('/instructor/extensions?status=declined');
    expect(declined.text).toContain(s5.name);
    expect(declined.text).not.toContain(s7.name);
  });
});

test('hostile form values (NUL, arrays, huge, markup) never cause a 500 on the portfolio and extension forms', async () => {
  const s11 = await aStudent(t, { timeZone: 'Africa/Cairo' });
  const fatima = await s11.login();
  const instructor = await t.login('instructor@cohort.example');
  await anExtensionRequest(t, { student: await grace(), portfolio: 'LeadEd502x', reason: 'Surgery', proposedDueOn: '2020-03-04' });
  const [pending] = (await t.db.selectFrom('extension_request').select('id').where('status', '=', 'pending').execute()).slice(-1);
  const hostile: Record<string, string | string[]>[] = [
    { reason: 'a\u0000b', proposed_due_on: '2020-03-04\u0000' },
    { reason: ['x', 'y'], proposed_due_on: ['2020-03-04', '2020-03-05'] },
    { reason: 'x'.repeat(200_000), proposed_due_on: '9'.repeat(400) },
    { reflection_body: '<script>alert(1)</script>\u0000', confirm: ['yes', 'no'] },
    { decision: ['approve', 'decline'], granted_due_on: '1e309', message: '\u0000' },
  ];
  for (const form of hostile) {
    for (const path of [`/portfolios/${req502}/extension`, `/portfolios/${req502}/reflection`]) {
      const res = await fatima.post(path, form);
      expect(res.status).toBeLessThan(500);
    }
    expect((await instructor.post(`/instructor/extensions/${pending.id}/decide`, form)).status).toBeLessThan(500);
  }
  // a NUL is refused (not silently dropped): the form comes back with the text kept, the NUL shown as U+FFFD
  const refused = await fatima.post(
    `/portfolios/${req502}/reflection`,
    await withBase(fatima, `/portfolios/${req502}`, `/portfolios/${req502}/reflection`, { reflection_body: 'Before\u0000after' }),
  );
  expect(refused.status).toBe(422);
  expect(refused.text).toContain('control character');
  expect(refused.text).toContain('Before\uFFFDafter');
  const saved = await fatima.post(
    `/portfolios/${req502}/reflection`,
    await withBase(fatima, `/portfolios/${req502}`, `/portfolios/${req502}/reflection`, { reflection_body: 'Before and after' }),
  );
  expect(saved.status).toBe(303);
  const page = await fatima.get(`/portfolios/${req502}`);
  expect(page.text).toContain('Before and after');
  expect(page.text).not.toContain('<script>alert(1)</script>');
});
