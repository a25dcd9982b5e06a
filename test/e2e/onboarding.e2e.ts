/// <reference lib="dom" />
import type { Page } from 'playwright-core';
import { DEMO_PASSWORD } from '../helpers/db';
import { keyboardLogin, startJourney, type Journey } from './browser';
import { enterAndWait, focusTop, stepOn, tabTo, textOf } from './page-helpers';

/**
 * The instructor imports a roster with the keyboard alone; the new student, Rosa (São Paulo),
 * opens the invitation email from the in-process SMTP server on a 320 px phone, sets her password
 * with Tab and Enter, sees the course in her zone, logs out and back in with the new password;
 * the invitation link no longer works and the roster shows her as active.
 */
let j: Journey;
let instructor: Page;
let invitation: string;
const ROSA = 'rosa@umich.edu';
const ROSA_PASSWORD = 'rosa-password-2020';
beforeAll(async () => {
  j = await startJourney('onboarding', { now: '2020-01-08T15:00:00Z' });
});
afterAll(() => j?.close());

/** The cells of the roster row of `email`. */
async function rosterRow(page: Page, email: string): Promise<string[]> {
  return page.locator('tbody tr', { hasText: email }).locator('td').allTextContents();
}

test('the instructor imports a one-line roster with Tab, typing and Enter; the student is invited', async () => {
  instructor = j.page;
  await keyboardLogin(instructor, j.base, 'instructor@cohort.example', DEMO_PASSWORD);
  await stepOn(j, instructor, 'instructor-home');
  await tabTo(instructor, 'nav a[href="/instructor/roster"]');
  await enterAndWait(instructor);
  await expect(textOf(instructor, 'h1')).resolves.toBe('Roster');
  await expect(textOf(instructor, 'main')).resolves.toContain('Students (12)');
  await stepOn(j, instructor, 'roster');

  await focusTop(instructor);
  await tabTo(instructor, '#csv');
  await instructor.keyboard.type('name,email,section,time_zone\nRosa Díaz,rosa@umich.edu,EDUC 639,America/Sao_Paulo\n');
  await tabTo(instructor, 'form[action="/instructor/roster/import"] button[type="submit"]');
  await enterAndWait(instructor);
  // The preview: how the text was read and the row as it will be imported; nothing imported yet.
  await expect(textOf(instructor, 'main')).resolves.toContain('1 new student will be added and sent an invitation');
  await stepOn(j, instructor, 'roster-preview');
  await tabTo(instructor, 'form[action$="/confirm"] button[type="submit"]');
  await enterAndWait(instructor);
  await expect(textOf(instructor, '.flash')).resolves.toContain('Imported 1 new student and sent their invitations.');
  await expect(textOf(instructor, 'main')).resolves.toContain('Students (13)');
  await expect(rosterRow(instructor, ROSA)).resolves.toEqual(['Rosa Díaz', ROSA, 'EDUC 639', 'America/Sao_Paulo', 'Invited']);
  await stepOn(j, instructor, 'roster-imported');

  await j.t.runWorker(); // the outbox is sent after the import's transaction commits
  const mails = j.t.smtp.messages.filter((m) => m.to.includes(ROSA));
  expect(mails).toHaveLength(1);
  expect(mails[0].subject).toBe("[EDUC 551/639] You're invited to Cohort Companion for Engaging Educational Innovation and Improvement");
  expect(mails[0].text).toContain('Rosa Díaz');
  invitation = mails[0].text.match(/http:\/\/cohort\.test(\/set-password\/[\w-]+)/)![1];
});

test('Rosa sets her password from the email on a 320 px phone, with the keyboard alone', async () => {
  const rosa = await j.newPage({ width: 320 });
  await rosa.goto(`${j.base}${invitation}`);
  await expect(textOf(rosa, 'main')).resolves.toContain('Welcome, Rosa Díaz.');
  await j.step('set-password-form');

  // Two different passwords: refused, with an error summary linking to the field.
  await tabTo(rosa, '#password');
  await rosa.keyboard.type(ROSA_PASSWORD);
  await tabTo(rosa, '#confirm');
  await rosa.keyboard.type('rosa-password-2021');
  await enterAndWait(rosa);
  await expect(textOf(rosa, '.error-summary')).resolves.toMatch(/match/i);
  await j.step('set-password-mismatch');

  await tabTo(rosa, '#password');
  await rosa.keyboard.type(ROSA_PASSWORD);
  await tabTo(rosa, '#confirm');
  await rosa.keyboard.type(ROSA_PASSWORD);
  await tabTo(rosa, 'main button[type="submit"]');
  await enterAndWait(rosa);
  expect(new URL(rosa.url()).pathname).toBe('/');
  await expect(textOf(rosa, '.flash')).resolves.toContain('Your password is set');
  await expect(textOf(rosa, 'h1')).resolves.toBe('This week');
  await expect(textOf(rosa, 'footer')).resolves.toContain('America/Sao_Paulo');
  await j.step('student-home-320px');

  await rosa.goto(`${j.base}/calendar`);
  // São Paulo is UTC-3 in 2020 (no DST): the 17:00 Detroit meeting on 01/13 is 19:00 there.
  await expect(textOf(rosa, 'main')).resolves.toContain('Mon, Jan 13, 2020, 7:00 PM GMT-3');
  await j.step('student-calendar-320px');

  await tabTo(rosa, 'nav form[action="/logout"] button');
  await enterAndWait(rosa);
  expect(new URL(rosa.url()).pathname).toBe('/login');
  await keyboardLogin(rosa, j.base, ROSA, ROSA_PASSWORD);
  expect(new URL(rosa.url()).pathname).toBe('/');
  await expect(textOf(rosa, 'h1')).resolves.toBe('This week');

  // The invitation is single-use.
  const again = await rosa.goto(`${j.base}${invitation}`);
  expect(again?.status()).toBe(410);
  await expect(textOf(rosa, '.error-summary')).resolves.toContain('This link has expired or has already been used.');
  await j.step('invitation-used');
});

test('the roster shows Rosa as active', async () => {
  await instructor.reload();
  await expect(rosterRow(instructor, ROSA)).resolves.toEqual(['Rosa Díaz', ROSA, 'EDUC 639', 'America/Sao_Paulo', 'Active']);
  await stepOn(j, instructor, 'roster-rosa-active');
});

test('a failed login keeps the email, explains, and shows focus on the first field', async () => {
  const page = await j.newPage();
  await page.goto(`${j.base}/login`);
  await page.fill('#email', 'student1@cohort.example');
  await page.fill('#password', 'wrong-password');
  await enterAndWait(page);
  await expect(page.inputValue('#email')).resolves.toBe('student1@cohort.example');
  await expect(textOf(page, '.error-summary')).resolves.toContain('do not match');
  await page.focus('#email');
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
  expect(outline).toBe('solid');
  await j.step('login-error');
});
