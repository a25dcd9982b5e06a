/// <reference lib="dom" />
import type { Page } from 'playwright-core';
import { lessonUnitId } from '../helpers/course';
import { startJourney, type Journey } from './browser';
import { clickAndWait, signIn, stepOn, textOf } from './page-helpers';

/**
 * The community (issue 17), as a new person would try it: the instructor makes a join link on
 * the roster page; Maria, in Manila, opens it on a 320 px phone, asks to join, opens the
 * confirmation email, chooses a password and lands on "This week"; she joins the Team Practice
 * team a campus student started on this week's lesson and edits its artifact, seeing each
 * teammate's local time; the instructor finds her on the community page and in the class overview's
 * community group, and on no gradebook.
 */
let j: Journey;
let instructor: Page;
let maria: Page;
let joinUrl: string;
const MARIA = 'maria.santos@example.org';
beforeAll(async () => {
  // Monday of LeadEd502x Lesson 05's week, 10:00 in Detroit: 23:00 in Manila.
  j = await startJourney('community', { now: '2020-02-10T15:00:00Z' });
  // A campus student has started a team on this week's lesson.
  const unit = await lessonUnitId(j.t.db, 'LeadEd502x', 5);
  const ava = await j.t.login('student1@cohort.example');
  expect((await ava.post(`/lessons/${unit}/teams`, { team_name: 'Metaphor Mappers' })).status).toBe(303);
});
afterAll(() => j?.close());

test('the instructor makes a join link on the roster page', async () => {
  instructor = j.page;
  await signIn(instructor, j.base, 'instructor@cohort.example');
  await instructor.goto(`${j.base}/instructor/roster#community`);
  await instructor.fill('#label', 'edX discussion forum');
  await instructor.fill('#maxUses', '100');
  await clickAndWait(instructor, 'button:has-text("Make join link")');
  await expect(textOf(instructor, '.flash')).resolves.toContain('Join link ready');
  const url = await textOf(instructor, 'code.join-url');
  joinUrl = url.replace('http://cohort.test', j.base);
  await stepOn(j, instructor, 'roster-join-link');
});

test('Maria joins from Manila on a phone: the form, the email, the password, This week', async () => {
  maria = await j.newPage({ width: 320 });
  await maria.goto(joinUrl);
  await expect(textOf(maria, 'h1')).resolves.toContain('Join EDUC 551/639');
  await stepOn(j, maria, 'join');
  await maria.fill('#name', 'Maria Santos');
  await maria.fill('#email', 'not-an-address');
  await maria.selectOption('#timeZone', 'Asia/Manila');
  await maria.selectOption('#country', 'PH');
  await clickAndWait(maria, 'button:has-text("Send me the confirmation link")');
  await expect(textOf(maria, '.error-summary')).resolves.toContain('Enter a valid email address');
  await expect(maria.inputValue('#name')).resolves.toBe('Maria Santos');
  await stepOn(j, maria, 'join-error');
  await maria.fill('#email', MARIA);
  await clickAndWait(maria, 'button:has-text("Send me the confirmation link")');
  await expect(textOf(maria, 'h1')).resolves.toBe('Check your email');
  await stepOn(j, maria, 'join-sent');

  await j.t.runWorker();
  const mail = j.t.smtp.messages.find((m) => m.to.includes(MARIA))!;
  expect(mail.subject).toContain('Confirm your email');
  const confirm = /http:\/\/cohort\.test(\/join\/confirm\/[\w-]+)/.exec(mail.text)![1];
  await maria.goto(`${j.base}${confirm}`);
  await stepOn(j, maria, 'confirm');
  await maria.fill('#password', 'manila-password-2020');
  await maria.fill('#confirm', 'manila-password-2020');
  await clickAndWait(maria, 'button:has-text("Confirm and log in")');
  await expect(textOf(maria, 'h1')).resolves.toBe('This week');
  await expect(textOf(maria, '.flash')).resolves.toContain('Welcome, Maria Santos!');
  await expect(textOf(maria, 'main')).resolves.toContain('Virtual office hours');
  await stepOn(j, maria, 'this-week');
});

test('she joins the campus student’s team on this week’s lesson and edits the team artifact', async () => {
  await clickAndWait(maria, '.this-week-place a.button');
  const offer = maria.locator('form.team-offer', { hasText: 'Metaphor Mappers' });
  await expect(offer.textContent()).resolves.toContain('1 campus student');
  await stepOn(j, maria, 'lesson-offer');
  await offer.locator('button').click();
  await maria.waitForLoadState('load');
  const members = await maria.locator('ul.team-members li').allTextContents();
  expect(members.map((m) => m.replace(/\s+/g, ' ').trim())).toEqual([
    'Ava Thompson · Campus · 10:00 AM (America/Detroit)',
    'Maria Santos (you) · Community · 11:00 PM (Asia/Manila)',
  ]);
  await maria.fill('#artifact_body', 'Our map of metaphors, from Ann Arbor and Manila');
  await clickAndWait(maria, 'button:has-text("Save team artifact")');
  await expect(textOf(maria, '.saved-at')).resolves.toContain('saved by Maria Santos');
  await stepOn(j, maria, 'team-artifact');
});

test('the instructor finds her on the community page and in the overview’s community group, and on no gradebook', async () => {
  await instructor.goto(`${j.base}/instructor/community`);
  await expect(textOf(instructor, 'main')).resolves.toContain('Maria Santos');
  await expect(textOf(instructor, 'main')).resolves.toContain('Philippines');
  await stepOn(j, instructor, 'community');
  await instructor.goto(`${j.base}/instructor/overview`);
  await expect(textOf(instructor, 'main')).resolves.not.toContain('Maria Santos');
  await clickAndWait(instructor, 'a[href*="group=community"]');
  await expect(textOf(instructor, 'main')).resolves.toContain('Maria Santos');
  await expect(textOf(instructor, 'main')).resolves.toContain('Asia/Manila');
  await stepOn(j, instructor, 'overview-community');
  await instructor.goto(`${j.base}/instructor/gradebook`);
  await expect(textOf(instructor, 'main')).resolves.not.toContain('Maria Santos');
  await stepOn(j, instructor, 'gradebook');
});
