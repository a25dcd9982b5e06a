import { sql } from 'kysely';
import { deliverDueEmails, enqueueEmail } from '../src/mail/outbox';
import { smtpSender, type MailSender } from '../src/mail/transport';
import { Worker } from '../src/worker/worker';
import { eventually } from './helpers/terminate';
import { startTestApp, type TestApp } from './helpers/test-app';

/**
 * Outbox claims under a slow SMTP server: each delivery run claims with its own token, renews a
 * message's lease just before sending it, records outcomes only under its own claim, and hands
 * back what it did not send when asked to stop. Both engines.
 */
let t: TestApp;
const FROM = 'EDUC 551/639 Cohort Companion <cohort@cohort.example>';

beforeAll(async () => {
  t = await startTestApp();
}, 60_000);
afterAll(() => t.close(), 60_000);

beforeEach(async () => {
  await t.db.updateTable('outbound_email').set({ status: 'sent', locked_until: null }).where('status', 'in', ['pending', 'sending']).execute();
  t.smtp.clear();
  t.smtp.setDelay(0);
});

async function enqueue(n: number, label: string): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < n; i++)
    ids.push((await enqueueEmail(t.db, { kind: 'test', userId: null, to: `${label}${i}@cohort.example`, subject: `${label} ${i}`, text: 'Hello.' }))!);
  return ids;
}

const leasesRunOut = (exceptId: number) =>
  t.db
    .updateTable('outbound_email')
    .set({ locked_until: sql<Date>`now() - interval '1 second'` })
    .where('status', '=', 'sending')
    .where('id', '<>', exceptId)
    .execute();

function copiesById(label: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of t.smtp.messages.filter((x) => x.subject.startsWith(label))) counts.set(m.messageId, (counts.get(m.messageId) ?? 0) + 1);
  return counts;
}

test('a batch slower than its lease: the other worker takes over the rest, and each email goes out once', async () => {
  const ids = await enqueue(8, 'slow');
  t.smtp.setDelay(50);
  const smtp = smtpSender(t.smtp.url);
  const other = smtpSender(t.smtp.url);
  let otherReport: Awaited<ReturnType<typeof deliverDueEmails>> | null = null;
  // Worker A is slow: while it sends its first message, the lease on the rest of its batch runs out
  // and worker B claims and sends them.
  const slowA: MailSender = {
    async send(m) {
      if (!otherReport) {
        const current = await t.db.selectFrom('outbound_email').select('id').where('message_id', '=', m.messageId).executeTakeFirstOrThrow();
        await leasesRunOut(current.id);
        otherReport = await deliverDueEmails(t.db, other, { from: FROM, now: t.clock.now() });
      }
      await smtp.send(m);
    },
    close: () => smtp.close(),
  };
  const a = await deliverDueEmails(t.db, slowA, { from: FROM, batchSize: 8, now: t.clock.now() });
  smtp.close();
  other.close();
  expect(a).toMatchObject({ sent: 1, lostClaims: 7, retried: 0, failed: 0 });
  expect(otherReport).toMatchObject({ sent: 7, lostClaims: 0 });
  const copies = copiesById('slow');
  expect(copies.size).toBe(8);
  expect([...copies.values()].every((n) => n === 1)).toBe(true);
  const rows = await t.db.selectFrom('outbound_email').select(['status', 'attempts', 'claim_token', 'locked_until']).where('id', 'in', ids).execute();
  expect(rows.every((r) => r.status === 'sent' && r.attempts === 1 && r.claim_token === null && r.locked_until === null)).toBe(true);
}, 60_000);

test('a run whose message was taken over mid-send does not record over the new owner', async () => {
  const [id] = await enqueue(1, 'taken');
  const smtp = smtpSender(t.smtp.url);
  const other = smtpSender(t.smtp.url);
  let takenOver = false;
  const stalled: MailSender = {
    async send(m) {
      if (!takenOver) {
        takenOver = true;
        // A send that outlived its lease (it is sized to outlast the SMTP timeouts, so this is the extreme case).
        await t.db
          .updateTable('outbound_email')
          .set({ locked_until: sql<Date>`now() - interval '1 second'` })
          .where('id', '=', id)
          .execute();
        expect(await deliverDueEmails(t.db, other, { from: FROM, retryBaseSeconds: 600, now: t.clock.now() })).toMatchObject({ sent: 1 });
        t.smtp.failNext(1, 450); // this run's own send then fails: its failure must not be recorded over "sent"
      }
      await smtp.send(m);
    },
    close: () => smtp.close(),
  };
  const report = await deliverDueEmails(t.db, stalled, { from: FROM, now: t.clock.now() });
  smtp.close();
  other.close();
  expect(report).toMatchObject({ sent: 0, retried: 0, failed: 0, lostClaims: 1 });
  const row = await t.db
    .selectFrom('outbound_email')
    .select(['status', 'attempts', 'last_error', 'claim_token'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  expect(row).toEqual({ status: 'sent', attempts: 2, last_error: null, claim_token: null });
}, 60_000);

test('asked to stop between messages: the one being sent is finished, the rest are handed back unclaimed', async () => {
  const ids = await enqueue(6, 'stop');
  const smtp = smtpSender(t.smtp.url);
  const stopping = new AbortController();
  let sends = 0;
  const stopsAfterTwo: MailSender = {
    async send(m) {
      sends += 1;
      if (sends === 2) stopping.abort(); // SIGTERM arrives during the second send
      await smtp.send(m);
    },
    close: () => smtp.close(),
  };
  const report = await deliverDueEmails(t.db, stopsAfterTwo, { from: FROM, signal: stopping.signal, now: t.clock.now() });
  smtp.close();
  expect(report).toMatchObject({ sent: 2, released: 4, lostClaims: 0 });
  const rows = await t.db
    .selectFrom('outbound_email')
    .select(['status', 'attempts', 'locked_until', 'claim_token', 'next_attempt_at'])
    .where('id', 'in', ids)
    .orderBy('id')
    .execute();
  expect(rows.map((r) => r.status)).toEqual(['sent', 'sent', 'pending', 'pending', 'pending', 'pending']);
  // Handed back as if never claimed: no lease to wait for, no attempt counted, due at once.
  expect(rows.slice(2).every((r) => r.attempts === 0 && r.locked_until === null && r.claim_token === null)).toBe(true);
  expect(await deliverDueEmails(t.db, smtpSender(t.smtp.url), { from: FROM, now: t.clock.now() })).toMatchObject({ sent: 4 });
  expect([...copiesById('stop').values()]).toEqual([1, 1, 1, 1, 1, 1]);
}, 60_000);

test('Worker.stop() during a slow batch returns after the email being sent and leaves nothing claimed', async () => {
  const ids = await enqueue(5, 'shutdown');
  t.smtp.setDelay(1000); // slow enough that stop() lands mid-batch
  const worker = new Worker(t.ctx, 60_000);
  worker.start();
  await eventually(async () => t.smtp.messages.some((m) => m.subject.startsWith('shutdown')), 'the first email of the batch');
  await worker.stop();
  const rows = await t.db.selectFrom('outbound_email').select(['status', 'locked_until']).where('id', 'in', ids).execute();
  expect(rows.filter((r) => r.status === 'sending')).toEqual([]);
  const sent = rows.filter((r) => r.status === 'sent').length;
  expect(sent).toBeGreaterThanOrEqual(1);
  expect(sent).toBeLessThan(5);
  expect(rows.filter((r) => r.status === 'pending').every((r) => r.locked_until === null)).toBe(true);
  expect(copiesById('shutdown').size).toBe(sent);
}, 60_000);
