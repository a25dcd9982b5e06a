/// <reference lib="dom" />
import type { Frame, Page } from 'playwright-core';
import { lessonUnitId } from '../helpers/course';
import { LtiPlatform } from '../helpers/lti-platform';
import { runRegister } from '../../src/lti/register-command';
import { checkPage, startJourney, type Journey } from './browser';
import { stepOn, textOf } from './page-helpers';

/**
 * Launching from edX in a real browser (issue 18): an edX unit page with Cohort Companion in an
 * iframe, served by the platform emulator. From another site (localhost, the tool at 127.0.0.1)
 * the frame is third-party and the browser keeps no session cookie of ours there: the frame shows
 * "Open Cohort Companion", and the new window lands on the lesson signed in. From the same site the
 * frame keeps the session and shows the lesson itself, framed because the platform may frame it.
 */
let j: Journey;
let crossSite: LtiPlatform;
let sameSite: LtiPlatform;
let lesson5: number;

beforeAll(async () => {
  // Monday of LeadEd502x Lesson 05's week, 10:00 in Detroit.
  j = await startJourney('lti', { now: '2020-02-10T15:00:00Z', servedAtBaseUrl: true });
  const jwks = async () => (await j.t.anonymous().get('/lti/jwks')).body as never;
  crossSite = await LtiPlatform.start(() => j.t.clock.now(), jwks, { host: 'localhost' });
  sameSite = await LtiPlatform.start(() => j.t.clock.now(), jwks);
  for (const p of [crossSite, sameSite]) {
    p.toolBase = j.base;
    await runRegister(j.t.db, p.registerArgs(), j.t.ctx.config.baseUrl, j.t.clock.now());
  }
  lesson5 = await lessonUnitId(j.t.db, 'LeadEd502x', 5);
}, 120_000);
afterAll(async () => {
  await crossSite?.close();
  await sameSite?.close();
  await j?.close();
});

async function toolFrame(page: Page, path: RegExp): Promise<Frame> {
  for (let i = 0; i < 200; i++) {
    const frame = page.frames().find((f) => f !== page.mainFrame() && path.test(new URL(f.url() || 'about:blank', 'http://x').pathname));
    if (frame) {
      await frame.waitForLoadState('load');
      return frame;
    }
    await page.waitForTimeout(50);
  }
  throw new Error(
    `no frame at ${path} (frames: ${page
      .frames()
      .map((f) => f.url())
      .join(', ')})`,
  );
}

test('from edX on another site: the frame offers a new window, which opens the lesson signed in', async () => {
  crossSite.nextLaunch = { sub: 'edx-ava', email: 'student1@cohort.example', custom: { unit: 'LeadEd502x-05' } };
  const edx = j.page;
  await edx.goto(`${crossSite.base}/courseware`);
  const frame = await toolFrame(edx, /^\/lti\/continue$/);
  await expect(frame.textContent('h1')).resolves.toBe('Open Cohort Companion');
  // The page in the frame, checked as a page of its own (axe, 320 px, keyboard): it is still unspent.
  const alone = await j.newPage({ width: 320 });
  await alone.goto(frame.url());
  await stepOn(j, alone, 'open-window');
  const [popup] = await Promise.all([edx.context().waitForEvent('page'), frame.click('button:has-text("Open Cohort Companion")')]);
  await popup.waitForLoadState('load');
  expect(new URL(popup.url()).pathname).toBe(`/lessons/${lesson5}`);
  await expect(textOf(popup, 'header')).resolves.toContain('Ava Thompson');
  await checkPage(popup, 'lti / lesson in the new window');
  // The code is spent: the same button again says so.
  const again = await alone.context().request.post(`${j.base}/lti/open`, { form: { code: new URL(frame.url()).searchParams.get('code')! } });
  expect(again.status()).toBe(410);
});

test('from edX on the same site: the frame keeps the session and shows the lesson inside edX', async () => {
  sameSite.nextLaunch = { sub: 'edx-miguel', email: 'student2@cohort.example', custom: { unit: 'LeadEd502x-05' } };
  const edx = await j.newPage();
  await edx.goto(`${sameSite.base}/courseware`);
  const frame = await toolFrame(edx, new RegExp(`^/lessons/${lesson5}$`));
  await expect(frame.textContent('header')).resolves.toContain('Miguel Santos');
  await expect(frame.textContent('h1')).resolves.toContain('Lesson');
});
