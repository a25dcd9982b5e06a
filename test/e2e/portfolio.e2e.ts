/// <reference lib="dom" />
import type { Page } from 'playwright-core';
import { startJourney, type Journey } from './browser';
import { clickAndWait, signIn, stepOn, textOf } from './page-helpers';

/**
 * The LeadEd502x portfolio (due Wed 2020-02-26, end of day in Ann Arbor), two days before:
 * Ava writes her reflection and asks for an extension; the instructor approves it and Ava sees the
 * new date; the instructor assigns peers and Ava's assessor writes and submits the peer
 * assessment; Ava submits her incomplete portfolio after the confirmation step.
 */
let j: Journey;
let ava: Page;
let instructor: Page;
beforeAll(async () => {
  j = await startJourney('portfolio', { now: '2020-02-24T15:00:00Z' });
});
afterAll(() => j?.close());

test('Ava writes her reflection and requests an extension (a missing reason is refused, her input kept)', async () => {
  ava = j.page;
  await signIn(ava, j.base, 'student1@cohort.example');
  await clickAndWait(ava, 'nav a[href="/portfolios"]');
  await stepOn(j, ava, 'portfolios');
  await clickAndWait(ava, 'a:has-text("LeadEd502x Portfolio")');
  await expect(textOf(ava, '.portfolio-due')).resolves.toContain('Due Wed, Feb 26, 2020, 11:59 PM EST');
  await stepOn(j, ava, 'portfolio');

  await ava.fill('#reflection_body', 'What I learned: **learning systems** are designed, not found.');
  await clickAndWait(ava, 'button:has-text("Save reflection")');
  await expect(textOf(ava, '.flash')).resolves.toContain('Reflection saved (version 1)');

  await clickAndWait(ava, 'a:has-text("Request an extension")');
  await stepOn(j, ava, 'extension-form');
  await ava.fill('#proposed_due_on', '2020-03-04');
  await clickAndWait(ava, 'button:has-text("Request extension")');
  await expect(textOf(ava, '.error-summary')).resolves.toContain('Tell the instructor why you need more time.');
  await expect(ava.inputValue('#proposed_due_on')).resolves.toBe('2020-03-04');
  await stepOn(j, ava, 'extension-form-error');
  await ava.fill('#reason', 'A family emergency took last week; I need one more week for the team artifacts.');
  await clickAndWait(ava, 'button:has-text("Request extension")');
  await expect(textOf(ava, '.flash')).resolves.toContain('Extension requested');
  await expect(textOf(ava, '.extension-requests')).resolves.toContain('A family emergency');
  await stepOn(j, ava, 'extension-requested');
});

test('the instructor approves it; Ava is emailed and sees the new due date', async () => {
  instructor = await j.newPage();
  await signIn(instructor, j.base, 'instructor@cohort.example');
  await clickAndWait(instructor, 'nav a[href="/instructor/extensions"]');
  const row = instructor.locator('tbody tr', { hasText: 'Ava Thompson' });
  await expect(row.textContent()).resolves.toContain('Wed, Mar 4, 2020');
  await stepOn(j, instructor, 'instructor-extensions');
  await Promise.all([instructor.waitForNavigation(), row.locator('a:has-text("Decide")').click()]);
  await stepOn(j, instructor, 'instructor-decide');
  await instructor.check('#decision');
  await instructor.fill('#granted_due_on', '2020-03-04');
  await instructor.fill('#message', 'Approved: take care of yourself.');
  await clickAndWait(instructor, 'button:has-text("Save decision")');
  await expect(textOf(instructor, '.flash')).resolves.toContain('Approved Ava Thompson’s extension request');
  await stepOn(j, instructor, 'instructor-decided');

  await j.t.runWorker();
  const mail = j.t.smtp.messages.find((m) => m.to.includes('student1@cohort.example') && /extension/i.test(m.subject));
  expect(mail).toBeDefined();
  expect(mail!.text).toContain('Approved: take care of yourself.');

  await ava.goto(`${j.base}/portfolios/1`);
  const due = await textOf(ava, '.portfolio-due');
  expect(due).toContain('Due Wed, Mar 4, 2020, 11:59 PM EST');
  expect(due).toContain('Extended');
  expect(due).toContain('originally Wed, Feb 26, 2020');
  await stepOn(j, ava, 'portfolio-extended');
  await ava.goto(`${j.base}/`);
  await expect(textOf(ava, 'section[aria-labelledby="due-heading"]')).resolves.toContain('Wed, Mar 4, 2020');
});

test('the instructor assigns peers; Ava’s assessor writes and submits the peer assessment', async () => {
  await instructor.goto(`${j.base}/instructor/gradebook`);
  await stepOn(j, instructor, 'gradebook');
  await clickAndWait(instructor, 'a:has-text("Peer assignments: LeadEd502x")');
  await stepOn(j, instructor, 'peer-assignments');
  await clickAndWait(instructor, 'button:has-text("Assign peers")');
  const pairs = instructor.locator('table.pa-pairs tbody tr');
  await expect(pairs.count()).resolves.toBe(12);
  const avaRow = instructor.locator('table.pa-pairs tbody tr', { has: instructor.locator('td', { hasText: 'student1@cohort.example' }) });
  const assessorEmail = ((await avaRow.locator('th .muted').textContent()) ?? '').trim();
  expect(assessorEmail).toMatch(/^student\d+@cohort\.example$/);
  expect(assessorEmail).not.toBe('student1@cohort.example');
  await stepOn(j, instructor, 'peers-assigned');

  const assessor = await j.newPage();
  await signIn(assessor, j.base, assessorEmail);
  await clickAndWait(assessor, 'nav a[href="/peer-assessments"]');
  await stepOn(j, assessor, 'assessor-list');
  await clickAndWait(assessor, '.pa-list a:has-text("Ava Thompson")');
  await expect(textOf(assessor, 'h1')).resolves.toBe('Peer assessment of Ava Thompson');
  await stepOn(j, assessor, 'assessor-form');
  await assessor.fill('#collegial_interactions', 'Ava kept our team on track and drew everyone in.');
  await assessor.fill('#work_products', 'Her reflection is careful and well argued.');
  await assessor.fill('#strength', 'Clear analogies.');
  await assessor.fill('#suggestion', 'Write the study guides earlier in the week.');
  await clickAndWait(assessor, 'button:has-text("Submit to Ava Thompson")');
  await expect(textOf(assessor, 'main')).resolves.toContain('You submitted version');
  await stepOn(j, assessor, 'assessor-submitted');

  await ava.goto(`${j.base}/portfolios/1`); // a full load: a same-page #fragment would only scroll
  await expect(textOf(ava, '#peer-assessment')).resolves.toContain('Arrived');
  await ava.goto(`${j.base}/peer-assessments/received/1`);
  await expect(textOf(ava, 'main')).resolves.toContain('Ava kept our team on track and drew everyone in.');
  await stepOn(j, ava, 'ava-received');
});

test('two days after the class due date, Ava submits her incomplete portfolio after confirming: on time under her extension', async () => {
  j.t.clock.set('2020-02-28T15:00:00Z');
  await ava.goto(`${j.base}/portfolios/1`);
  await clickAndWait(ava, '#submit button:has-text("Submit portfolio")');
  await expect(textOf(ava, 'h1')).resolves.toBe('Submit an incomplete portfolio?');
  const missing = await textOf(ava, '.error-summary');
  // 14 items: six study guides, six team artifacts, the peer assessment and the reflection
  expect(missing).toContain('Your portfolio is missing 12 items');
  expect(missing).toContain('Lesson 01 study guide');
  expect(missing).toContain('Lesson 06 Team Practice artifact');
  expect(missing).not.toContain('reflection');
  expect(missing).not.toContain('peer assessment');
  await stepOn(j, ava, 'confirm-incomplete');
  await clickAndWait(ava, 'button:has-text("Submit anyway")');
  await expect(textOf(ava, '.flash')).resolves.toContain('Portfolio submitted (with 12 items missing)');
  await expect(textOf(ava, '.flash')).resolves.toContain('It is on time.');
  const facts = await textOf(ava, '.portfolio-facts');
  expect(facts).toContain('On time (due Wed, Mar 4, 2020, 11:59 PM EST)');
  expect(facts).toContain('12 items missing');
  await stepOn(j, ava, 'submitted');
  await clickAndWait(ava, '.breadcrumb a');
  const submissions = await textOf(ava, 'table.portfolio-submissions tbody');
  expect(submissions).toContain('On time');
  expect(submissions).toContain('12 items missing');
  await stepOn(j, ava, 'portfolio-after-submission');
});
