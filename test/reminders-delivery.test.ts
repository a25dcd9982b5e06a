import { sql } from 'kysely';
import type { AppContext } from '../src/context';
import { deliverDueEmails } from '../src/mail/outbox';
import { smtpSender } from '../src/mail/transport';
import { remindersRepository } from '../src/reminders/reminders.repository';
import { runReminders } from '../src/reminders/reminders.service';
import { runJobsOnce } from '../src/worker/worker';
import { startTestApp, type TestApp } from './helpers/test-app';
import { addStudents, numbered, onlyDetroitPortfolioReminders } from './helpers/students';
import { step } from './helpers/story';

/**
 * Delivery mechanics against the real database and a real SMTP server: two workers at once,
 * a worker killed mid-batch, SMTP down then up, and a permanent 5xx.
 * 2020-02-19T14:00Z is 09:00 EST: every Detroit student's 7-day reminder for 02/26 is due.
 */
let t: TestApp;
const EXTRA = 60;

beforeAll(async () => {
  t = await startTestApp({ now: '2020-02-19T14:00:00Z' });
  await addStudents(t.db, numbered(EXTRA, 'load', 'Load Student'));
  // Only the Detroit students' portfolio reminders here: the other zones are covered by
  // reminders-schedule.test.ts, meeting reminders there too.
  await onlyDetroitPortfolioReminders(t.db);
});
afterAll(() => t.close());

const detroit = () => [`student1@cohort.example`, `student12@cohort.example`, ...Array.from({ length: EXTRA }, (_, i) => `load${i}@cohort.example`)];

function perRecipient(subjectPart: string) {
  const counts = new Map<string, number>();
  for (const m of t.smtp.messages.filter((x) => x.subject.includes(subjectPart))) for (const to of m.to) counts.set(to, (counts.get(to) ?? 0) + 1);
  return counts;
}

/** A second app instance: same database, its own SMTP connection. */
function secondInstance(): AppContext {
  return { ...t.ctx, mail: smtpSender(t.smtp.url) };
}

/** Runs the worker until nothing due is left (the outbox sends 50 per run). */
async function drain() {
  for (let i = 0; i < 20; i++) {
    await t.runWorker();
    const left = await t.db
      .selectFrom('outbound_email')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where((eb) =>
        eb.or([
          eb('status', '=', 'pending').and('next_attempt_at', '<=', sql<Date>`now()`),
          eb('status', '=', 'sending').and('locked_until', '<=', sql<Date>`now()`),
        ]),
      )
      .executeTakeFirstOrThrow();
    if (Number(left.n) === 0) break;
  }
  await t.runWorker(); // mirrors the last outcomes onto the reminders
}

function workerRun(ctx: AppContext) {
  return async () => {
    await runReminders(ctx.db, { now: ctx.clock.now(), offsets: ctx.config.reminderOffsetsDays, baseUrl: ctx.config.baseUrl, batchSize: 7 });
    await deliverDueEmails(ctx.db, ctx.mail, { from: ctx.config.MAIL_FROM, replyTo: ctx.config.MAIL_REPLY_TO, batchSize: 9, now: ctx.clock.now() });
  };
}

test('reminder delivery through the semester: concurrent workers, a killed worker, the one duplicate window', async () => {
  await step('two workers at once: every due reminder is delivered exactly once', async () => {
    const b = secondInstance();
    const unfinished = async () =>
      Number(
        (
          await t.db
            .selectFrom('outbound_email')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('status', 'in', ['pending', 'sending'])
            .executeTakeFirstOrThrow()
        ).n,
      ) +
      Number(
        (
          await t.db
            .selectFrom('reminder')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('status', 'in', ['scheduled', 'claimed'])
            .where('send_at', '<=', t.clock.now())
            .executeTakeFirstOrThrow()
        ).n,
      );
    for (let round = 0; round < 30 && (round === 0 || (await unfinished()) > 0); round++) {
      await Promise.all([workerRun(t.ctx)(), workerRun(b)(), workerRun(t.ctx)(), workerRun(b)()]);
    }
    expect(await unfinished()).toBe(0);
    b.mail.close();
    const counts = perRecipient('LeadEd502x Portfolio due Wed, Feb 26');
    expect(counts.size).toBe(detroit().length);
    expect([...counts.entries()].filter(([, n]) => n !== 1)).toEqual([]);
    expect(new Set(t.smtp.messages.map((m) => m.messageId)).size).toBe(t.smtp.messages.length);
    expect(t.smtp.messages.every((m) => /^<reminder_portfolio-[0-9a-f-]{36}@cohort\.test>$/.test(m.messageId))).toBe(true);
    const outbox = await t.db
      .selectFrom('outbound_email')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('kind', '=', 'reminder_portfolio')
      .executeTakeFirstOrThrow();
    expect(Number(outbox.n)).toBe(detroit().length);
  });

  await step('a worker killed mid-batch: its claimed reminders wait for the lease, then go out once', async () => {
    t.clock.set('2020-02-24T14:00:00Z'); // the 2-day reminders for Detroit
    t.smtp.clear();
    // The dead worker: claims 20 due reminders under a lease, then never renders or hands them off.
    const crashed = await t.db
      .transaction()
      .execute((trx) => remindersRepository.claimDue(trx, t.clock.now(), '00000000-0000-4000-8000-000000000001', 20, 300));
    expect(crashed.length).toBeGreaterThan(0);
    const crashedIds = crashed.map((r) => r.id);
    await drain();
    const early = perRecipient('LeadEd502x Portfolio');
    const crashedEmails = (
      await t.db
        .selectFrom('app_user')
        .select('email')
        .where(
          'id',
          'in',
          crashed.map((r) => r.user_id),
        )
        .execute()
    ).map((u) => u.email);
    expect(crashedEmails.filter((e) => early.has(e))).toEqual([]); // the lease protects them from a second worker
    expect(early.size).toBe(detroit().length - crashedEmails.length);

    // The lease runs out (simulated: moved into the past); the next run takes them over.
    await t.db
      .updateTable('reminder')
      .set({ claimed_until: sql<Date>`now() - interval '1 second'` })
      .where('id', 'in', crashedIds)
      .execute();
    await drain();
    const after = perRecipient('LeadEd502x Portfolio');
    expect(after.size).toBe(detroit().length);
    expect([...after.values()].every((n) => n === 1)).toBe(true);
    // The dead worker comes back late: its claim is gone, so its hand-off finds nothing to send.
    expect(await remindersRepository.lockStillClaimed(t.db, '00000000-0000-4000-8000-000000000001', crashedIds)).toEqual([]);
  });

  await step('a worker killed after claiming outbox messages but before SMTP: sent once after the lease', async () => {
    t.clock.set('2020-02-26T14:00:00Z'); // the 0-day reminders for Detroit
    t.smtp.clear();
    await runReminders(t.db, { now: t.clock.now(), offsets: [7, 2, 0], baseUrl: 'http://cohort.test' });
    // The dead worker's claim, exactly as deliverDueEmails makes it, then nothing.
    const claimed = await t.db
      .updateTable('outbound_email')
      .set({ status: 'sending', locked_until: sql<Date>`now() + interval '120 seconds'` })
      .where('status', '=', 'pending')
      .where('kind', '=', 'reminder_portfolio')
      .returning('id')
      .execute();
    expect(claimed.length).toBe(detroit().length);
    await t.runWorker();
    expect(t.smtp.messages).toHaveLength(0);
    await t.db
      .updateTable('outbound_email')
      .set({ locked_until: sql<Date>`now() - interval '1 second'` })
      .where('status', '=', 'sending')
      .execute();
    await drain();
    const counts = perRecipient('LeadEd502x Portfolio');
    expect(counts.size).toBe(detroit().length);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
  });

  await step('the one window left: SMTP accepted but the worker died before marking it sent → a second copy with the same Message-ID', async () => {
    t.clock.set('2020-04-15T13:00:00Z'); // 09:00 EDT: the 7-day reminders for 04/22
    t.smtp.clear();
    await runReminders(t.db, { now: t.clock.now(), offsets: [7, 2, 0], baseUrl: 'http://cohort.test' });
    const m = await t.db
      .selectFrom('outbound_email')
      .selectAll()
      .where('status', '=', 'pending')
      .where('to_address', '=', 'student1@cohort.example')
      .executeTakeFirstOrThrow();
    const sender = smtpSender(t.smtp.url);
    await sender.send({
      from: t.ctx.config.MAIL_FROM,
      to: m.to_address,
      subject: m.subject,
      text: m.text_body,
      html: m.html_body,
      messageId: m.message_id,
      headers: m.headers,
      date: t.clock.now(),
    });
    sender.close();
    await t.db
      .updateTable('outbound_email')
      .set({ status: 'sending', attempts: 1, locked_until: sql<Date>`now() - interval '1 second'` })
      .where('id', '=', m.id)
      .execute();
    await drain();
    const copies = t.smtp.messages.filter((x) => x.to.includes('student1@cohort.example'));
    expect(copies).toHaveLength(2);
    expect(copies[0].messageId).toBe(copies[1].messageId); // receivers de-duplicate on it
    expect(perRecipient('LeadEd503x Portfolio').get('student12@cohort.example')).toBe(1);
  });

  await step('SMTP down (connection refused, then 421), then up: delivered after retry, once', async () => {
    t.clock.set('2020-04-20T13:00:00Z'); // the 2-day reminders for 04/22
    t.smtp.clear();
    const down: AppContext = { ...t.ctx, mail: smtpSender('smtp://127.0.0.1:9') };
    for (let i = 0; i < 3; i++) await runJobsOnce(down); // 50 messages per run
    const pending = await t.db
      .selectFrom('outbound_email')
      .select(['status', 'last_error', 'attempts'])
      .where('kind', '=', 'reminder_portfolio')
      .where('status', '<>', 'sent')
      .execute();
    expect(pending.length).toBe(detroit().length);
    expect(pending.every((p) => p.status === 'pending' && /ECONNREFUSED|connect/i.test(p.last_error ?? ''))).toBe(true);
    const queued = await t.db.selectFrom('reminder').select('status').where('status', '=', 'queued').execute();
    expect(queued.length).toBe(detroit().length);

    const makeDue = () =>
      t.db
        .updateTable('outbound_email')
        .set({ next_attempt_at: sql<Date>`now()` })
        .where('status', '=', 'pending')
        .execute();
    await makeDue();
    t.smtp.failNext(5, 421);
    await drain();
    expect(perRecipient('LeadEd503x Portfolio').size).toBe(detroit().length - 5);
    const retrying = await t.db.selectFrom('outbound_email').select(['last_error', 'attempts']).where('status', '=', 'pending').execute();
    expect(retrying).toHaveLength(5);
    expect(retrying.every((r) => /421/.test(r.last_error ?? '') && r.attempts === 2)).toBe(true);
    await makeDue();
    await drain();
    const counts = perRecipient('LeadEd503x Portfolio');
    expect(counts.size).toBe(detroit().length);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    const statuses = await t.db.selectFrom('reminder').select('status').distinct().where('send_at', '=', new Date('2020-04-20T13:00:00Z')).execute();
    expect(statuses.map((s) => s.status)).toEqual(['sent']);
  });

  await step('a permanent 5xx is recorded as failed, with the SMTP reply, on the instructor’s page', async () => {
    t.clock.set('2020-04-22T13:00:00Z'); // the 0-day reminders for 04/22
    t.smtp.clear();
    t.smtp.failNext(1, 550);
    await drain();
    const failed = await t.db
      .selectFrom('reminder as r')
      .innerJoin('app_user as u', 'u.id', 'r.user_id')
      .select(['r.status', 'r.reason', 'u.name'])
      .where('r.status', '=', 'failed')
      .execute();
    expect(failed).toHaveLength(1);
    expect(failed[0].reason).toMatch(/550/);
    expect(perRecipient('LeadEd503x Portfolio').size).toBe(detroit().length - 1);
    const instructor = await t.login('instructor@cohort.example');
    const page = (await instructor.get('/instructor/reminders?status=failed').expect(200)).text;
    expect(page).toContain(failed[0].name);
    expect(page).toMatch(/550[^<]*Mailbox unavailable/);
    expect(page).toContain('Failed (1)');
  });
});
