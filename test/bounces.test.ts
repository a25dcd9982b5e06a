import { enqueueEmail } from '../src/mail/outbox';
import { aStudent } from './helpers/builders';
import { startTestApp, type TestApp } from './helpers/test-app';

/**
 * Bounce handling (issue 16): a permanent SMTP refusal (550 at RCPT TO, from the real in-process
 * SMTP server) marks the address undeliverable; nothing more is sent to it until the mark clears;
 * a temporary refusal (4xx) keeps retrying.
 */
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ now: '2020-02-19T14:00:00Z' });
});
afterAll(() => t.close());

const RESET = /Reset your Cohort Companion password/;

/** Asks for a password reset for `email` (an email to that address, through HTTP) and runs the worker. */
async function resetEmailTo(email: string) {
  await t.anonymous().post('/forgot-password', { email });
  await t.runWorker();
}

const resetsTo = (email: string) => t.smtp.messages.filter((m) => RESET.test(m.subject) && m.to.includes(email)).length;

/** The password-reset emails in the outbox for `email` (reminders may be queued for the student too). */
async function outboxFor(email: string) {
  return t.db
    .selectFrom('outbound_email')
    .select(['id', 'status', 'last_error', 'attempts'])
    .where('to_address', '=', email)
    .where('kind', '=', 'password_reset')
    .orderBy('id')
    .execute();
}

async function markOf(email: string) {
  return t.db.selectFrom('undeliverable_address').selectAll().where('address', '=', email.toLowerCase()).executeTakeFirst();
}

test('a 550 for one address marks it; the next email to it is not sent (the outbox says why) while another student’s is', async () => {
  const bad = await aStudent(t, { email: 'bounce-marked@cohort.example' });
  const good = await aStudent(t, { email: 'bounce-fine@cohort.example' });
  t.smtp.rejectRecipient(bad.email, 550);
  try {
    await resetEmailTo(bad.email);
    expect(resetsTo(bad.email)).toBe(0);
    const mark = await markOf(bad.email);
    expect(mark?.smtp_reply).toMatch(/550[^]*Mailbox unavailable/);
    const [first] = await outboxFor(bad.email);
    // Refused at RCPT TO, or (when a reminder to the same address went first in that run) not tried.
    expect(first.status).toBe('failed');

    // The server would take it now: the mark alone keeps the next email from being sent.
    t.smtp.acceptRecipient(bad.email);
    await resetEmailTo(bad.email);
    await resetEmailTo(good.email);
    expect(resetsTo(bad.email)).toBe(0);
    expect(resetsTo(good.email)).toBe(1);
    const rows = await outboxFor(bad.email);
    expect(rows).toHaveLength(2);
    expect(rows[1].status).toBe('failed');
    expect(rows[1].last_error).toMatch(/Not sent: .* is marked undeliverable .*550/);
  } finally {
    t.smtp.acceptRecipient(bad.email);
  }
});

test('messages queued before the address was marked are not sent either, whichever writer queued them', async () => {
  const bad = await aStudent(t, { email: 'bounce-queued@cohort.example' });
  t.smtp.rejectRecipient(bad.email, 550);
  try {
    // Two queued, one run: the first is refused, the second finds the mark and is not tried.
    for (const n of [1, 2]) await enqueueEmail(t.db, { kind: 'bounce-test', userId: bad.id, to: bad.email, subject: `Queued ${n}`, text: 'Hello' });
    await t.runWorker();
    const rows = await t.db.selectFrom('outbound_email').select(['status', 'last_error', 'attempts']).where('kind', '=', 'bounce-test').orderBy('id').execute();
    expect(rows.map((r) => [r.status, r.attempts])).toEqual([
      ['failed', 1],
      ['failed', 0], // never handed to SMTP
    ]);
    expect(rows[0].last_error).toMatch(/550/);
    expect(rows[1].last_error).toMatch(/Not sent: bounce-queued@cohort.example is marked undeliverable/);
    expect(t.smtp.messages.filter((m) => m.to.includes(bad.email))).toHaveLength(0);
  } finally {
    t.smtp.acceptRecipient(bad.email);
  }
});

test('a 4xx is temporary: the address is not marked and the email is retried', async () => {
  const busy = await aStudent(t, { email: 'bounce-busy@cohort.example' });
  t.smtp.rejectRecipient(busy.email, 451);
  try {
    await resetEmailTo(busy.email);
    const [row] = await outboxFor(busy.email);
    expect(row.status).toBe('pending');
    expect(row.last_error).toMatch(/451/);
    expect(await markOf(busy.email)).toBeUndefined();
  } finally {
    t.smtp.acceptRecipient(busy.email);
  }
  // Due again (its backoff is on the database's clock): the retry goes out.
  await t.db
    .updateTable('outbound_email')
    .set({ next_attempt_at: new Date(Date.now() - 60_000) })
    .where('to_address', '=', busy.email)
    .execute();
  await t.runWorker();
  expect((await outboxFor(busy.email))[0].status).toBe('sent');
  expect(resetsTo(busy.email)).toBe(1);
});

/** Marks `email` undeliverable the way production does: a 550 at RCPT TO for an email to it. */
async function bounce(email: string) {
  t.smtp.rejectRecipient(email, 550);
  try {
    await resetEmailTo(email);
  } finally {
    t.smtp.acceptRecipient(email);
  }
  expect(await markOf(email)).toBeDefined();
}

test('the roster and the class overview show the mark with the server’s answer; "Retry email" clears it (audited) and the next email goes out', async () => {
  const s = await aStudent(t, { email: 'bounce-retry@cohort.example', name: 'Rhea Retry' });
  await bounce(s.email);
  const instructor = await t.login('instructor@cohort.example');

  const roster = (await instructor.get('/instructor/roster').expect(200)).text;
  const row = roster.slice(roster.indexOf('Rhea Retry'));
  expect(row.slice(0, row.indexOf('</tr>'))).toMatch(/Email undeliverable[^]*550 Mailbox unavailable/);
  const overview = (await instructor.get(`/instructor/overview?q=${encodeURIComponent(s.email)}`).expect(200)).text;
  expect(overview).toMatch(/Email undeliverable<\/span> [^<]*550 Mailbox unavailable/);
  const page = (await instructor.get(`/instructor/roster/students/${s.id}`).expect(200)).text;
  expect(page).toContain('Email undeliverable');
  expect(page).toContain('Retry email');

  // A student may not clear it; the instructor may.
  const student = await s.login();
  expect((await student.post(`/instructor/roster/students/${s.id}/retry-email`)).status).toBe(403);
  const done = await instructor.post(`/instructor/roster/students/${s.id}/retry-email`);
  expect(done.status).toBe(303);
  expect(await markOf(s.email)).toBeUndefined();
  const after = (await instructor.get(`/instructor/roster/students/${s.id}`).expect(200)).text;
  expect(after).toContain('no longer marked undeliverable');
  expect(after).toContain('Email retried (undeliverable mark cleared)');
  expect(after).not.toContain('Retry email</button>');
  // Nothing to retry now: refused, nothing changes.
  expect((await instructor.post(`/instructor/roster/students/${s.id}/retry-email`)).status).toBe(409);

  await resetEmailTo(s.email);
  expect(resetsTo(s.email)).toBe(1);
});

test('changing the student’s address clears the mark for them: the next email goes to the new address', async () => {
  // Invited, no password yet: a roster correction switches the address at once (src/accounts/email-change.service.ts).
  const s = await aStudent(t, { email: 'bounce-typo@cohort.example', name: 'Tomas Typo', active: false });
  await bounce(s.email);
  const instructor = await t.login('instructor@cohort.example');
  expect((await instructor.get(`/instructor/roster/students/${s.id}`).expect(200)).text).toContain('Email undeliverable');
  const fixed = 'bounce-fixed@cohort.example';
  const edit = await instructor.post(`/instructor/roster/students/${s.id}`, {
    name: s.name,
    email: fixed,
    section: String(s.section_id),
    timeZone: s.time_zone,
  });
  expect(edit.status).toBe(303);
  const page = (await instructor.get(`/instructor/roster/students/${s.id}`).expect(200)).text;
  expect(page).toContain(fixed);
  expect(page).not.toContain('Email undeliverable');
  await t.runWorker();
  // The new invitation went out to the corrected address.
  expect(t.smtp.messages.filter((m) => m.to.includes(fixed)).length).toBeGreaterThan(0);
});
