import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { runToEnd, tsNode } from './app-process';
import { BENCH_APPLICATION_NAME, withClient } from './database';

/**
 * Reminder throughput: the worker's reminder and delivery jobs through their own API
 * (bench/reminder-worker.ts: plan the schedule, claim and render due reminders in batches, hand
 * them to the outbox, deliver in parallel lanes while it fills), in two processes at once as two
 * worker instances would (the jobs claim with SKIP LOCKED), against a real SMTP server in this
 * process (smtp-server, as in the tests). Timed from the first worker's start to the last one's end.
 * The instant is an hour before the LeadEd503x deadline, when every student's reminder is due
 * in every zone; earlier offsets of the same deadline are skipped as superseded, so each
 * student without a complete LeadEd503x submission gets exactly one email.
 * Duplicates: two messages for one reminder (X-Cohort-Reminder). Lost: a student due a reminder
 * who got none, a reminder the database says was queued or sent that never arrived, or an email
 * still waiting in the outbox.
 */
export const REMINDER_NOW = '2020-04-23T03:00:00Z';
/** A run that takes longer than this is stopped and reported as such (the target is 2 minutes). */
const TIMEOUT_MS = 15 * 60_000;

export interface ReminderResult {
  workers: number;
  lanes: number;
  queuers: number;
  learnersDue: number;
  planned: number;
  received: number;
  unique: number;
  duplicates: number;
  lost: number;
  failed: number;
  seconds: number;
  queueSeconds: number;
  deliverSeconds: number;
  perSecond: number;
}

interface Sink {
  url: string;
  received: number;
  ids: Map<string, number>;
  close(): Promise<void>;
}

async function startSink(): Promise<Sink> {
  const ids = new Map<string, number>();
  const sink = { received: 0, ids } as Sink;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    size: 1024 * 1024,
    onData(stream, _session, callback) {
      let head = '';
      stream.on('data', (c: Buffer) => {
        if (head.length < 16_384) head += c.toString('utf8');
      });
      stream.on('end', () => {
        const id = head.match(/^X-Cohort-Reminder:\s*(\d+)/im)?.[1] ?? `no-header-${sink.received}`;
        sink.received += 1;
        ids.set(id, (ids.get(id) ?? 0) + 1);
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  sink.url = `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}?pool=true&maxConnections=4`;
  sink.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return sink;
}

/** Forgets earlier reminder runs in this bench database, so every run measures the same work. */
async function resetReminders(url: string): Promise<void> {
  await withClient(url, async (c) => {
    await c.query('begin');
    await c.query('delete from reminder');
    await c.query("delete from outbound_email where kind like 'reminder%'");
    await c.query("update reminder_planner set fingerprint = '', planned_as_of = null, planned_at = null");
    await c.query('commit');
  });
}

/** `workers` processes (as that many worker instances), each with `queuers` reminder runs and `lanes` delivery lanes. */
export async function reminderRun(url: string, workers = 2, lanes = 4, queuers = 1): Promise<ReminderResult> {
  await resetReminders(url);
  const learnersDue = await withClient(url, (c) =>
    c
      .query(
        `select count(*)::int as n from app_user u where u.role = 'student' and u.deactivated_at is null
         and not exists (select 1 from portfolio_submission s join portfolio_requirement pr on pr.id = s.portfolio_requirement_id
                         join edx_course e on e.id = pr.edx_course_id
                         where s.user_id = u.id and e.code = 'LeadEd503x' and s.is_complete)`,
      )
      .then((r) => r.rows[0].n as number),
  );
  const sink = await startSink();
  let runs: { startedAt: number; endedAt: number; queueEndedAt: number }[];
  const children = Array.from({ length: workers }, () =>
    tsNode(
      'bench/reminder-worker.ts',
      ['--now', REMINDER_NOW, '--lanes', String(lanes), '--queuers', String(queuers)],
      { DATABASE_URL: url, SMTP_URL: sink.url, LOG_LEVEL: 'error', BASE_URL: 'https://cohort.example' },
      'capture',
    ),
  );
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    for (const c of children) c.kill('SIGTERM');
  }, TIMEOUT_MS);
  try {
    const outs = await Promise.all(children.map((c) => runToEnd(c)));
    runs = outs.map((out) => JSON.parse(out.trim().split('\n').pop()!));
  } catch (err) {
    // A killed client leaves its statement running in PostgreSQL: stop those too.
    await withClient(url, (c) =>
      c.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and application_name = $1', [BENCH_APPLICATION_NAME]),
    );
    throw timedOut ? new Error(`did not finish within ${TIMEOUT_MS / 60_000} minutes (stopped; ${sink.received} emails had arrived)`) : err;
  } finally {
    clearTimeout(timer);
    await sink.close();
  }
  const start = Math.min(...runs.map((r) => r.startedAt));
  const seconds = (Math.max(...runs.map((r) => r.endedAt)) - start) / 1000;
  const queueMs = Math.max(...runs.map((r) => r.queueEndedAt)) - start;
  const db = await withClient(url, async (c) => {
    const r = await c.query(`select count(*)::int as planned, count(*) filter (where status in ('queued', 'sent'))::int as handed,
      count(*) filter (where status = 'failed')::int as failed from reminder`);
    const e = await c.query(`select count(*) filter (where status in ('pending', 'sending'))::int as waiting,
      extract(epoch from max(sent_at) - min(sent_at))::float as send_s
      from outbound_email where kind like 'reminder%'`);
    return { ...r.rows[0], ...e.rows[0] } as { planned: number; handed: number; failed: number; waiting: number; send_s: number };
  });
  const unique = [...sink.ids.keys()].filter((k) => !k.startsWith('no-header')).length;
  const result: ReminderResult = {
    workers,
    lanes,
    queuers,
    learnersDue,
    planned: db.planned,
    received: sink.received,
    unique,
    duplicates: sink.received - sink.ids.size,
    // Lost: a student due a reminder who got none, a reminder queued or sent that never arrived, or an email left in the outbox.
    lost: Math.max(0, learnersDue - unique, db.handed - unique) + db.waiting,
    failed: db.failed,
    seconds: Math.round(seconds * 10) / 10,
    queueSeconds: Math.round(queueMs / 100) / 10,
    deliverSeconds: Math.round((db.send_s ?? 0) * 10) / 10,
    perSecond: Math.round(sink.received / seconds),
  };
  console.log(
    `  reminders: ${result.received} emails for ${learnersDue} students due in ${result.seconds} s (${result.perSecond}/s; ` +
      `planned and queued in ${result.queueSeconds} s, sent over ${result.deliverSeconds} s; ${workers} worker processes × ${queuers} reminder run and ${lanes} delivery lanes), ${result.duplicates} duplicates, ${result.lost} lost, ${result.failed} failed`,
  );
  return result;
}
