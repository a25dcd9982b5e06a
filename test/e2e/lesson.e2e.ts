/// <reference lib="dom" />
import { DEMO_PASSWORD } from '../helpers/db';
import { samplePng } from '../helpers/sample-files';
import { hasHorizontalScroll, keyboardLogin, startJourney, type Journey } from './browser';

/** A student works through a lesson: seven components, a study guide, a team and its artifact (at 320 px). */
let j: Journey;
beforeAll(async () => {
  j = await startJourney('lesson', { now: '2020-01-27T15:00:00Z', width: 320 });
});
afterAll(() => j?.close());

test('lessons → lesson page → toggle, study guide, team, artifact, Learning Check; instructor moderates', async () => {
  const { page, base } = j;
  await keyboardLogin(page, base, 'student6@cohort.example', DEMO_PASSWORD);
  await page.click('a[href="/lessons"]');
  await j.step('lessons');
  await page.click('text=LeadEd502x · Lesson 03');
  await j.step('lesson-page');
  expect(await hasHorizontalScroll(page)).toBe(false);

  await Promise.all([page.waitForNavigation(), page.click('#component-presentation button:has-text("Mark done")')]);
  await page.fill('#guide_body', '## Key terms\n- **Metaphor**: a learning system is like a network');
  await page.setInputFiles('#guide_file', { name: 'map.png', mimeType: 'image/png', buffer: samplePng() });
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("Save study guide")')]);
  await expect(page.textContent('.flash')).resolves.toContain('Study guide saved (version 1)');
  await j.step('study-guide-saved');

  await page.fill('#team_name', 'Network Thinkers');
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("Start team")')]);
  await page.fill('#artifact_body', 'Our analogy: hub and spokes');
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("Save team artifact")')]);
  await j.step('team-artifact');

  await page.fill('#understanding', 'Learning systems as networks');
  await page.fill('#strengths', 'Vivid analogies');
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("Save Learning Check")')]);
  await expect(page.textContent('.error-summary')).resolves.toContain('Name the weaknesses of this lesson.');
  await j.step('learning-check-error');
  await page.fill('#weaknesses', 'Too short');
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("Save Learning Check")')]);
  await page.fill('#celebrate_body', 'A long walk by the Huron River');
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("Share with classmates")')]);
  await j.step('all-saved');
  expect(await hasHorizontalScroll(page)).toBe(false);

  const instructor = await j.newPage({ width: 1024 });
  await keyboardLogin(instructor, base, 'instructor@cohort.example', DEMO_PASSWORD);
  await instructor.goto(`${page.url().split('#')[0]}`);
  await j.step('instructor-lesson');
  await Promise.all([instructor.waitForNavigation(), instructor.click('button:has-text("Hide from students")')]);
  await j.step('instructor-hidden');
});
