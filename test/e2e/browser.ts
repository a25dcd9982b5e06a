/// <reference lib="dom" />
import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../helpers/test-app';

/**
 * A journey: the app on a real port (fresh seeded database, pinned clock, in-process SMTP),
 * Debian's Chromium, axe-core on every page visited, and a screenshot per step under
 * test-results/<journey>/.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface Journey {
  t: TestApp;
  base: string;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  step(name: string): Promise<void>;
  newPage(opts?: { width?: number }): Promise<Page>;
  close(): Promise<void>;
}

export async function startJourney(name: string, opts: { now: string; width?: number }): Promise<Journey> {
  const t = await startTestApp({ now: opts.now });
  const server: Server = await new Promise((resolve) => {
    const s = t.app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // playwright gives every launch a new, empty user-data dir of its own.
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const context = await browser.newContext({ viewport: { width: opts.width ?? 1024, height: 900 } });
  const page = await context.newPage();
  const dir = path.join(__dirname, '..', '..', 'test-results', name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  let n = 0;
  const journey: Journey = {
    t,
    base,
    browser,
    context,
    page,
    step: async (stepName) => {
      n += 1;
      await journey.page.screenshot({ path: path.join(dir, `${String(n).padStart(2, '0')}-${stepName}.png`), fullPage: true });
      await expectAccessible(journey.page, `${name} / ${stepName}`);
    },
    newPage: async (o = {}) => {
      const ctx = await browser.newContext({ viewport: { width: o.width ?? 1024, height: 900 } });
      journey.page = await ctx.newPage();
      return journey.page;
    },
    close: async () => {
      await browser.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await t.close();
    },
  };
  return journey;
}

/** axe-core in the page (evaluated through DevTools, so the CSP stays strict): no serious or critical violations. */
export async function expectAccessible(page: Page, where: string): Promise<void> {
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const result = await (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] }> } }).axe.run(document, {
      resultTypes: ['violations'],
    });
    return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((x) => x.target.join(' ')).join(', ')}`);
  });
  if (violations.length) throw new Error(`Accessibility violations on ${where} (${page.url()}):\n${violations.join('\n')}`);
}

/** The page scrolls sideways at this width? (usable at 320 px) */
export async function hasHorizontalScroll(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth + 1);
}

/** Completes the login form with the keyboard only. */
export async function keyboardLogin(page: Page, base: string, email: string, password: string): Promise<void> {
  await page.goto(`${base}/login`);
  await page.keyboard.press('Tab'); // skip link
  await page.focus('#email');
  await page.keyboard.type(email);
  await page.keyboard.press('Tab');
  await page.keyboard.type(password);
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
}
