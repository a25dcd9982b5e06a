/// <reference lib="dom" />
import type { Page } from 'playwright-core';
import { startJourney, type Journey } from './browser';
import { clickAndWait, enterAndWait, focusTop, signIn, stepOn, tabTo, textOf } from './page-helpers';

/**
 * The instructor keeps the roster (issue 13): opens a student from the roster, corrects a detail
 * (a bad value is refused with the input kept), drops the student with the keyboard alone, and
 * the gradebook shows them dropped with the date.
 */
let j: Journey;
let instructor: Page;
let name: string;
beforeAll(async () => {
  j = await startJourney('roster-drop', { now: '2020-02-18T15:00:00Z' });
  name = (await j.t.db.selectFrom('app_user').select('name').where('email', '=', 'student9@cohort.example').executeTakeFirstOrThrow()).name;
});
afterAll(() => j?.close());

test('the instructor opens a student from the roster; a bad correction is refused with the input kept', async () => {
  instructor = j.page;
  await signIn(instructor, j.base, 'instructor@cohort.example');
  await instructor.goto(`${j.base}/instructor/roster`);
  await stepOn(j, instructor, 'roster');
  await clickAndWait(instructor, `table a:has-text("${name}")`);
  await expect(textOf(instructor, 'h1')).resolves.toBe(name);
  await stepOn(j, instructor, 'student');

  await instructor.fill('#email', 'student1@cohort.example');
  await clickAndWait(instructor, 'button:has-text("Save corrections")');
  await expect(textOf(instructor, '.error-summary')).resolves.toContain('already used by someone else');
  await expect(instructor.inputValue('#email')).resolves.toBe('student1@cohort.example');
  await stepOn(j, instructor, 'student-error');
});

test('the instructor drops the student with the keyboard alone, and the gradebook shows them dropped', async () => {
  await focusTop(instructor);
  await tabTo(instructor, 'form[action$="/drop"] button');
  await enterAndWait(instructor);
  await expect(textOf(instructor, '.flash')).resolves.toContain(`${name} was dropped`);
  await expect(textOf(instructor, '.lede')).resolves.toContain('Dropped Tue, Feb 18, 2020');
  await stepOn(j, instructor, 'dropped');

  await clickAndWait(instructor, 'nav a[href="/instructor/gradebook"]');
  const row = instructor.locator('table.gradebook tbody tr', { hasText: 'student9@cohort.example' });
  await expect(row.locator('th').textContent()).resolves.toContain('Dropped Tue, Feb 18, 2020');
  await stepOn(j, instructor, 'gradebook-dropped');
});
