/// <reference lib="dom" />
import type { Page } from 'playwright-core';
import { startJourney, type Journey } from './browser';
import { clickAndWait, signIn, stepOn, textOf } from './page-helpers';

/**
 * A reminder run for the LeadEd502x portfolio, due at the end of Wed 2020-02-26 in Ann Arbor
 * (05:00 UTC on the 27th). A student's 7-day reminder goes out at 09:00 in their own zone, seven
 * days before the due date *as it falls in that zone*: Feb 19 in the Americas, Feb 20 from London
 * eastwards (where the deadline falls on the 27th). At 14:00 UTC on Feb 19 that is the two Ann
 * Arbor students only; Mexico City follows an hour later; by noon UTC on Feb 20 all twelve have
 * exactly one. The instructor's reminders page lists them as sent.
 */
let j: Journey;
let instructor: Page;
beforeAll(async () => {
  j = await startJourney('reminders', { now: '2020-02-19T14:00:00Z' });
});
afterAll(() => j?.close());

const student = (n: number) => `student${n}@cohort.example`;
const students = (...ns: number[]) => ns.map(student).sort();
const SEVEN_DAY_SUBJECT = 'Reminder: LeadEd502x Portfolio due';

function sevenDayRecipients(): string[] {
  return j.t.smtp.messages
    .filter((m) => m.subject.includes(SEVEN_DAY_SUBJECT))
    .flatMap((m) => m.to)
    .sort();
}

/** Runs the worker twice: the second tick records each delivery's outcome on its reminder. */
async function workerTicks(): Promise<void> {
  await j.t.runWorker();
  await j.t.runWorker();
}

/** Rows of the reminders table. */
async function reminderRows(page: Page): Promise<{ email: string; localTime: string; reminder: string; status: string }[]> {
  return page.$$eval('table.reminder-log tbody tr', (trs) =>
    trs.map((tr) => {
      const td = Array.from(tr.querySelectorAll('td'));
      const text = (el: Element | null) => ((el as HTMLElement | null)?.innerText ?? '').replace(/\s+/g, ' ').trim();
      return {
        email: text(td[1].querySelector('.hint')).split(' · ')[0],
        localTime: text(td[0].querySelector('.hint')),
        reminder: text(td[2]),
        status: text(td[3]),
      };
    }),
  );
}

async function portfolioReminders(page: Page, status: string) {
  await page.goto(`${j.base}/instructor/reminders?kind=portfolio_deadline&status=${status}`);
  return (await reminderRows(page)).filter((r) => r.reminder.includes('LeadEd502x Portfolio') && r.reminder.includes('7 days before'));
}

test('at 14:00 UTC on Feb 19 the worker sends the 7-day reminders due by 09:00 local: Ann Arbor’s', async () => {
  await workerTicks();
  expect(sevenDayRecipients()).toEqual(students(1, 12));
  const ava = j.t.smtp.messages.find((m) => m.to.includes(student(1)) && m.subject.includes(SEVEN_DAY_SUBJECT))!;
  expect(ava.subject).toContain('due Wed, Feb 26, 11:59 PM EST');
  expect(ava.text).toContain('Hello Ava Thompson');
  expect(ava.text).toContain('(your time zone, America/Detroit)');
  expect(ava.text).toContain('Still missing (14 of 14 items)');
  expect(ava.text).toContain('http://cohort.test/portfolios/1');
});

test('the instructor’s reminders page lists them as sent, and every other student’s for 09:00 their time', async () => {
  instructor = j.page;
  await signIn(instructor, j.base, 'instructor@cohort.example');
  await clickAndWait(instructor, 'nav a[href="/instructor/reminders"]');
  await instructor.selectOption('#kind', 'portfolio_deadline');
  await instructor.selectOption('#status', 'sent');
  await clickAndWait(instructor, '.reminder-filters button');
  await expect(textOf(instructor, '#reminders-heading')).resolves.toBe('2 reminders');
  const sent = await reminderRows(instructor);
  expect(sent.map((r) => r.email).sort()).toEqual(students(1, 12));
  for (const r of sent) {
    expect(r.reminder).toContain('Portfolio deadline: LeadEd502x Portfolio 7 days before');
    expect(r.status).toBe('Sent Wed, Feb 19, 2020, 9:00 AM EST'); // the app clock's time (APP_NOW), in the instructor's zone
    expect(r.localTime).toBe('9:00 AM America/Detroit');
  }
  await stepOn(j, instructor, 'reminders-sent');

  await clickAndWait(instructor, 'table.reminder-log tbody tr:first-child a:has-text("Preview")');
  await expect(textOf(instructor, 'main')).resolves.toContain('This is the email as it was sent.');
  await expect(instructor.locator('.reminder-facts dt:text-is("Sent") + dd').textContent()).resolves.toBe('Wed, Feb 19, 2020, 9:00 AM EST');
  await stepOn(j, instructor, 'reminder-preview');

  const scheduled = await portfolioReminders(instructor, 'scheduled');
  expect(scheduled.map((r) => r.email).sort()).toEqual(students(2, 3, 4, 5, 6, 7, 8, 9, 10, 11));
  for (const r of scheduled) expect(r.localTime).toMatch(/^9:00 AM /);
  expect(scheduled.find((r) => r.email === student(2))!.localTime).toBe('9:00 AM Asia/Manila');
  await stepOn(j, instructor, 'reminders-scheduled');
});

test('an hour later it is 09:00 in Mexico City; by noon UTC on Feb 20 every student has exactly one', async () => {
  j.t.clock.set('2020-02-19T15:00:00Z');
  await workerTicks();
  expect(sevenDayRecipients()).toEqual(students(1, 9, 12));

  j.t.clock.set('2020-02-20T12:00:00Z'); // 09:00 in São Paulo, the last zone's turn
  await workerTicks();
  expect(sevenDayRecipients()).toEqual(students(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12));
  const miguel = j.t.smtp.messages.find((m) => m.to.includes(student(2)) && m.subject.includes(SEVEN_DAY_SUBJECT))!;
  expect(miguel.text).toContain('(your time zone, Asia/Manila)');
  expect(miguel.text).toContain('Thu, Feb 27, 2020, 12:59 PM GMT+8');

  const sent = await portfolioReminders(instructor, 'sent');
  expect(sent).toHaveLength(12);
  await stepOn(j, instructor, 'reminders-all-sent');
});
