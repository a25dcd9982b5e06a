/// <reference lib="dom" />
import { DEMO_PASSWORD } from '../helpers/db';
import { hasHorizontalScroll, keyboardLogin, startJourney, type Journey } from './browser';

/** The instructor imports a roster; the new student sets a password from the invitation email. */
let j: Journey;
beforeAll(async () => {
  j = await startJourney('onboarding', { now: '2020-01-08T15:00:00Z' });
});
afterAll(() => j?.close());

test('roster import → invitation email → set password → the student sees the course', async () => {
  const { page, base, t } = j;
  await keyboardLogin(page, base, 'instructor@cohort.example', DEMO_PASSWORD);
  await j.step('instructor-home');
  await page.click('a[href="/instructor/roster"]');
  await j.step('roster');
  await page.fill('#csv', 'name,email,section,time_zone\nRosa Díaz,rosa@umich.edu,EDUC 639,America/Sao_Paulo\n');
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("Import and send invitations")')]);
  await expect(page.textContent('.flash')).resolves.toContain('Imported 1 new student');
  await j.step('roster-imported');

  await t.runWorker();
  const mail = t.smtp.messages.find((m) => m.to[0] === 'rosa@umich.edu');
  expect(mail).toBeDefined();
  const link = mail!.text.match(/http:\/\/cohort\.test(\/set-password\/[\w-]+)/)![1];

  const student = await j.newPage({ width: 320 });
  await student.goto(`${base}${link}`);
  await j.step('set-password-form');
  await student.fill('#password', 'rosa-password-2020');
  await student.fill('#confirm', 'rosa-password-2020');
  await Promise.all([student.waitForNavigation(), student.keyboard.press('Enter')]);
  await expect(student.textContent('.flash')).resolves.toContain('Your password is set');
  await j.step('student-home-320px');
  expect(await hasHorizontalScroll(student)).toBe(false);
  await student.goto(`${base}/calendar`);
  // São Paulo is UTC-3 in 2020 (no DST): the 17:00 Detroit meeting on 01/13 is 19:00 there.
  await expect(student.textContent('main')).resolves.toContain('Mon, Jan 13, 2020, 7:00 PM GMT-3');
  await j.step('student-calendar-320px');
  expect(await hasHorizontalScroll(student)).toBe(false);
});

test('a failed login keeps the email and focuses nothing unexpected; visible focus on the first field', async () => {
  const page = await j.newPage();
  await page.goto(`${j.base}/login`);
  await page.fill('#email', 'student1@cohort.example');
  await page.fill('#password', 'wrong-password');
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  await expect(page.inputValue('#email')).resolves.toBe('student1@cohort.example');
  await expect(page.textContent('.error-summary')).resolves.toContain('do not match');
  await page.focus('#email');
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
  expect(outline).toBe('solid');
  await j.step('login-error');
});
