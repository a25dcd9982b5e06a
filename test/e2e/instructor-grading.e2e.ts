/// <reference lib="dom" />
import { parse } from 'csv-parse/sync';
import type { Page } from 'playwright-core';
import { startJourney, type Journey } from './browser';
import { clickAndWait, enterAndWait, focusTop, signIn, stepOn, tabTo, textOf } from './page-helpers';

/**
 * Ava submits her LeadEd502x portfolio the day before it is due; after the due date the
 * instructor grades that submission S with feedback from the gradebook, Ava is emailed and reads
 * the feedback, and the instructor downloads the gradebook as CSV.
 */
let j: Journey;
let ava: Page;
let instructor: Page;
beforeAll(async () => {
  j = await startJourney('instructor-grading', { now: '2020-02-25T15:00:00Z' });
});
afterAll(() => j?.close());

test('Ava submits her portfolio (incomplete, confirmed)', async () => {
  ava = j.page;
  await signIn(ava, j.base, 'student1@cohort.example');
  await ava.goto(`${j.base}/portfolios/1`);
  await stepOn(j, ava, 'student-portfolio');
  await clickAndWait(ava, '#submit button:has-text("Submit portfolio")');
  await expect(textOf(ava, 'h1')).resolves.toBe('Submit an incomplete portfolio?');
  await stepOn(j, ava, 'student-confirm-incomplete');
  await clickAndWait(ava, 'button:has-text("Submit anyway")');
  await expect(textOf(ava, '.flash')).resolves.toContain('Portfolio submitted');
  await stepOn(j, ava, 'student-submitted');
});

test('the instructor grades the submission S with feedback from the gradebook, with the keyboard alone', async () => {
  j.t.clock.set('2020-03-02T14:00:00Z');
  instructor = await j.newPage();
  await signIn(instructor, j.base, 'instructor@cohort.example');
  await clickAndWait(instructor, 'nav a[href="/instructor/gradebook"]');
  const avaRow = instructor.locator('table.gradebook tbody tr', { hasText: 'student1@cohort.example' });
  await expect(avaRow.locator('td').first().textContent()).resolves.toContain('Incomplete');
  await stepOn(j, instructor, 'gradebook');
  await Promise.all([instructor.waitForNavigation(), avaRow.locator('a:has-text("Grade")').first().click()]);
  await expect(textOf(instructor, 'h1')).resolves.toBe('Grade: Ava Thompson · LeadEd502x Portfolio');
  const facts = await textOf(instructor, '.portfolio-facts');
  expect(facts).toContain('On time');
  expect(facts).toContain('Incomplete: 0 of 14 items present when submitted');
  await stepOn(j, instructor, 'grade-form');

  // With the keyboard alone: Tab to the grade, the arrow key chooses U, Enter submits. A U
  // without feedback is refused (it must say why) and the choice is kept; the arrow back to S.
  await focusTop(instructor);
  await tabTo(instructor, '#grade-S');
  await instructor.keyboard.press('ArrowDown');
  await expect(instructor.isChecked('#grade-U')).resolves.toBe(true);
  await enterAndWait(instructor);
  await expect(textOf(instructor, '.error-summary')).resolves.toContain('A U needs feedback');
  await expect(instructor.isChecked('#grade-U')).resolves.toBe(true);
  await stepOn(j, instructor, 'grade-form-error');
  await focusTop(instructor);
  await tabTo(instructor, '#grade-U');
  await instructor.keyboard.press('ArrowUp');
  await expect(instructor.isChecked('#grade-S')).resolves.toBe(true);

  await tabTo(instructor, '#feedback');
  await instructor.keyboard.type('A **thoughtful** portfolio. Add the missing study guides for your own records.');
  await tabTo(instructor, '.grade-form button[type="submit"]');
  await enterAndWait(instructor);
  await expect(textOf(instructor, '.flash')).resolves.toContain('Recorded S for Ava Thompson');
  await expect(textOf(instructor, '.grade-form')).resolves.toContain('Current grade: S (Satisfactory)');
  await stepOn(j, instructor, 'graded');
});

test('Ava gets the email and reads her grade and feedback', async () => {
  await j.t.runWorker();
  const mail = j.t.smtp.messages.find((m) => m.to.includes('student1@cohort.example') && m.subject.includes('Feedback on your LeadEd502x Portfolio is ready'));
  expect(mail).toBeDefined();
  expect(mail!.text).not.toContain('thoughtful'); // the grade and feedback stay behind the login
  const link = mail!.text.match(/http:\/\/cohort\.test(\/portfolios\/1\/feedback)/)![1];

  await ava.goto(`${j.base}${link}`);
  await expect(textOf(ava, '#grade-heading')).resolves.toBe('Grade: S (Satisfactory)');
  await expect(ava.innerHTML('.grade-card .prose')).resolves.toContain('<strong>thoughtful</strong>');
  await stepOn(j, ava, 'student-feedback');
});

test('the gradebook CSV carries the grade, timing and completeness', async () => {
  await instructor.goto(`${j.base}/instructor/gradebook`);
  const avaRow = instructor.locator('table.gradebook tbody tr', { hasText: 'student1@cohort.example' });
  await expect(avaRow.locator('.grade-S').first().textContent()).resolves.toBe('S');
  await stepOn(j, instructor, 'gradebook-graded');

  const href = await instructor.getAttribute('a:has-text("Download CSV")', 'href');
  const res = await instructor.request.get(new URL(href!, j.base).toString());
  expect(res.status()).toBe(200);
  expect(res.headers()['content-type']).toContain('text/csv');
  expect(res.headers()['content-disposition']).toMatch(/attachment/);
  const rows = parse(await res.text(), { columns: true, bom: true, skip_empty_lines: true }) as Record<string, string>[];
  expect(rows).toHaveLength(12);
  const ava = rows.find((r) => r.email === 'student1@cohort.example')!;
  expect(ava.student_name).toBe('Ava Thompson');
  expect(ava.LeadEd502x_grade).toBe('S');
  expect(ava.LeadEd502x_late).toBe('no');
  expect(ava.LeadEd502x_complete).toBe('no');
  expect(ava.LeadEd502x_submitted_at).toBe('2020-02-25T10:00:00-05:00');
  expect(ava.LeadEd502x_graded_at).toBe('2020-03-02T09:00:00-05:00');
  // An S on an incomplete portfolio is the instructor's call; it does not meet the certificate's requirements.
  expect(ava.LeadEd502x_certificate_requirements_met).toBe('no');
  expect(ava.LeadEd502x_certificate_missing).toContain('portfolio submitted incomplete');
  expect(ava.LeadEd502x_feedback_written).toBe('yes');
  const miguel = rows.find((r) => r.email === 'student2@cohort.example')!;
  expect(miguel.LeadEd502x_grade).toBe('');
  expect(miguel.LeadEd502x_submitted_at).toBe('');
});
