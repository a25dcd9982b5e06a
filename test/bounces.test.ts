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
    expect(first.status).toBe('failed');
    expect(first.attempts).toBe(1);

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
    const rows = await t.db.selectFrom('outbound_email').select(['status', 'last_error']).where('kind', '=', 'bounce-test').orderBy('id').execute();
    expect(rows.map((r) => r.status)).toEqual(['failed', 'failed']);
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
