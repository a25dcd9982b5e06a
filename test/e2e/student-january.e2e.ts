/// <reference lib="dom" />
import { DEMO_PASSWORD } from '../helpers/db';
import { samplePdf, samplePng } from '../helpers/sample-files';
import { keyboardLogin, startJourney, type Journey } from './browser';
import { clickAndWait, enterAndWait, expectNoHorizontalScroll, focusTop, signIn, tabTo, textOf } from './page-helpers';

/**
 * Ava (student1, Ann Arbor) in the week of LeadEd502x Lesson 03: This week → the lesson →
 * components done → a study guide and its edit (versions) → a new team that a classmate joins →
 * the team artifact with a file. Then the main student pages at 320 px.
 */
let j: Journey;
beforeAll(async () => {
  j = await startJourney('student-january', { now: '2020-01-29T15:00:00Z' });
});
afterAll(() => j?.close());

test('This week shows Lesson 03 and its required campus meeting', async () => {
  const { page, base } = j;
  await keyboardLogin(page, base, 'student1@cohort.example', DEMO_PASSWORD);
  expect(new URL(page.url()).pathname).toBe('/');
  await expect(textOf(page, 'h1')).resolves.toBe('This week');
  await expect(textOf(page, '#place-heading')).resolves.toContain('LeadEd502x · Lesson 03');
  const meeting = await textOf(page, 'section[aria-labelledby="meeting-heading"]');
  expect(meeting).toContain('Attendance required this week');
  expect(meeting).toContain('Campus meeting: LeadEd502x · Lesson 03');
  expect(meeting).toContain('Mon, Jan 27, 2020, 5:00 PM EST – 7:00 PM');
  expect(meeting).toContain('4212 School of Education Building');
  await j.step('this-week');
});

test('the lesson: components marked done, one of them with the keyboard alone', async () => {
  const { page } = j;
  await clickAndWait(page, 'a.button:has-text("Open Lesson 03")');
  expect(new URL(page.url()).pathname).toBe('/lessons/4');
  await expect(textOf(page, 'h1')).resolves.toContain('Lesson 03 — Framing Innovation – Metaphor and Analogy');
  await j.step('lesson');

  await clickAndWait(page, '#component-presentation button:has-text("Mark done")');
  await expect(textOf(page, '.flash')).resolves.toContain('Presentation: marked done.');
  await expect(textOf(page, '#component-presentation .component-status')).resolves.toContain('Done');

  await focusTop(page);
  await tabTo(page, '#component-enrichment .component-status button');
  await enterAndWait(page);
  await expect(textOf(page, '.flash')).resolves.toContain('Enrichment: marked done.');
  await expect(textOf(page, '.unit-status')).resolves.toContain('2 of 7');
  await j.step('components-done');
});

test('a study guide written with the keyboard, then edited: both versions listed', async () => {
  const { page } = j;
  await focusTop(page);
  await tabTo(page, '#guide_body');
  await page.keyboard.type('## Key terms\n- **Metaphor**: a learning system is like a professional network');
  await tabTo(page, '#study-guide button[type="submit"]');
  await enterAndWait(page);
  await expect(textOf(page, '.flash')).resolves.toContain('Study guide saved (version 1)');
  await expect(textOf(page, '#study-guide .saved-at')).resolves.toContain('Version 1');
  // The saved guide is shown rendered; "Edit" opens the form again.
  await expect(textOf(page, '#study-guide .prose strong')).resolves.toBe('Metaphor');
  await clickAndWait(page, '#study-guide a:has-text("Edit")');

  await page.fill('#guide_body', '## Key terms\n- **Metaphor**: a learning system is like a professional network\n- **Analogy**: hub and spokes');
  await page.setInputFiles('#guide_file', { name: 'network-map.png', mimeType: 'image/png', buffer: samplePng() });
  await clickAndWait(page, '#study-guide button:has-text("Save study guide")');
  await expect(textOf(page, '.flash')).resolves.toContain('Study guide saved (version 2)');
  await expect(textOf(page, '#study-guide')).resolves.toContain('Attached: network-map.png');
  await j.step('study-guide-edited');

  await clickAndWait(page, '#study-guide a:has-text("All versions")');
  await expect(textOf(page, 'h1')).resolves.toBe('Study guide versions');
  const rows = await page.$$eval('tbody tr', (trs) => trs.map((tr) => tr.textContent!.replace(/\s+/g, ' ').trim()));
  expect(rows).toHaveLength(2);
  expect(rows[0]).toContain('Version 2');
  expect(rows[0]).toContain('network-map.png');
  expect(rows[1]).toContain('Version 1');
  await j.step('study-guide-versions');
  await clickAndWait(page, 'a:has-text("Version 1")');
  const v1 = await textOf(page, 'main .prose');
  expect(v1).toContain('Metaphor: a learning system is like a professional network');
  expect(v1).not.toContain('hub and spokes');
  await j.step('study-guide-version-1');
});

test('a team started with Tab and Enter, joined by a classmate; the team artifact with a PDF', async () => {
  const { page, base } = j;
  await page.goto(`${base}/lessons/4`);
  await tabTo(page, '#team_name');
  await page.keyboard.type('Metaphor Makers');
  await enterAndWait(page); // implicit submission of the one-field form
  await expect(textOf(page, '#team-practice h3')).resolves.toBe('Your team: Metaphor Makers');

  await page.fill('#artifact_body', 'Our analogy: a school system as a **network** of practitioners.');
  await page.setInputFiles('#artifact_file', { name: 'team-analogy.pdf', mimeType: 'application/pdf', buffer: samplePdf() });
  await clickAndWait(page, 'button:has-text("Save team artifact")');
  await expect(textOf(page, '.flash')).resolves.toContain('Team artifact saved (version 1)');
  const versions = await textOf(page, '#team-practice table.versions tbody');
  expect(versions).toContain('Ava Thompson');
  expect(versions).toContain('team-analogy.pdf');
  await j.step('team-artifact');

  // Olivia (student3, London) finds the team on the same lesson and joins it.
  const olivia = await j.newPage();
  await signIn(olivia, base, 'student3@cohort.example');
  await olivia.goto(`${base}/lessons/4#team-practice`);
  await j.step('classmate-sees-open-team');
  await clickAndWait(olivia, 'button:has-text("Join"):has(.visually-hidden:has-text("Metaphor Makers"))');
  await expect(textOf(olivia, '#team-practice h3')).resolves.toBe('Your team: Metaphor Makers');
  // Each member with their kind and local time now (issue 17): Ava in Detroit, Olivia in London.
  await expect(olivia.locator('#team-practice ul.team-members li').allTextContents()).resolves.toEqual([
    expect.stringMatching(/^Ava Thompson\s+·\s+Campus\s+·\s+10:00 AM\s+\(America\/Detroit\)$/),
    expect.stringMatching(/^Olivia Bennett \(you\)\s+·\s+Campus\s+·\s+3:00 PM\s+\(Europe\/London\)$/),
  ]);
  await expect(textOf(olivia, '#team-practice .prose')).resolves.toContain('a school system as a network of practitioners');
  await j.step('classmate-joined');
});

test('at 320 px the main student pages do not scroll sideways and focus stays visible', async () => {
  const narrow = await j.newPage({ width: 320 });
  await signIn(narrow, j.base, 'student1@cohort.example');
  for (const [path, name] of [
    ['/', 'this-week-320px'],
    ['/lessons/4', 'lesson-320px'],
    ['/portfolios/1', 'portfolio-320px'],
    ['/calendar', 'calendar-320px'],
  ]) {
    await narrow.goto(`${j.base}${path}`);
    await j.step(name);
    await expectNoHorizontalScroll(narrow);
  }
  // the calendar page's first form control, reached by Tab through the header and navigation
  await narrow.goto(`${j.base}/calendar`);
  await tabTo(narrow, '#subscribe button');
});
