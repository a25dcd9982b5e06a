/// <reference lib="dom" />
import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../helpers/test-app';

/**
 * A journey: the app on a real port (fresh seeded database, pinned clock, in-process SMTP),
 * Debian's Chromium, and at every step a screenshot under test-results/<journey>/ plus the
 * page-level checks (axe-core, no sideways scrolling at 320 px, every form control reachable
 * with Tab and showing its focus). Every page a journey loads must have been through a step:
 * close() fails the file otherwise, naming the pages that were only passed through.
 * E2E_NARROW_SHOTS=<dir> also saves each step's 320 px view there, to look at.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
export const NARROW = 320;

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

/**
 * Pages loaded and pages checked, by path (one journey per test file); the keyboard check runs
 * once per path for each browser context (each person in a journey has their own).
 */
const seen = { visited: new Map<string, string>(), checked: new Set<string>(), keyboard: new WeakMap<BrowserContext, Set<string>>() };

function watch(page: Page, base: string): Page {
  page.on('load', () => {
    const url = new URL(page.url());
    if (url.origin === base && !seen.visited.has(url.pathname)) seen.visited.set(url.pathname, url.href);
  });
  return page;
}

/**
 * `servedAtBaseUrl`: the app's BASE_URL is the address the browser reaches it at (for flows that
 * redirect through another site and back, like an LTI launch); otherwise it is http://cohort.test.
 */
export async function startJourney(name: string, opts: { now: string; width?: number; servedAtBaseUrl?: boolean }): Promise<Journey> {
  const port = opts.servedAtBaseUrl ? await freePort() : 0;
  const t = await startTestApp({ now: opts.now, env: port ? { BASE_URL: `http://127.0.0.1:${port}` } : {} });
  const server: Server = await new Promise((resolve) => {
    const s = t.app.listen(port, '127.0.0.1', () => resolve(s));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // playwright gives every launch a new, empty user-data dir of its own.
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const context = await browser.newContext({ viewport: { width: opts.width ?? 1024, height: 900 } });
  const page = watch(await context.newPage(), base);
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
      const where = `${name} / ${stepName}`;
      await journey.page.screenshot({ path: path.join(dir, `${String(n).padStart(2, '0')}-${stepName}.png`), fullPage: true });
      await checkPage(journey.page, where);
    },
    newPage: async (o = {}) => {
      const ctx = await browser.newContext({ viewport: { width: o.width ?? 1024, height: 900 } });
      journey.page = watch(await ctx.newPage(), base);
      return journey.page;
    },
    close: async () => {
      await browser.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await t.close();
      const unchecked = [...seen.visited].filter(([p]) => !seen.checked.has(p)).map(([, url]) => url);
      if (unchecked.length)
        throw new Error(
          `${name}: pages loaded but never checked by a step (screenshot, axe, 320 px, keyboard; after a failed test, look at that first):\n${unchecked.join('\n')}`,
        );
    },
  };
  return journey;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** The checks of a step, without its screenshot. */
export async function checkPage(page: Page, where: string): Promise<void> {
  await expectAccessible(page, where);
  await expectNarrowFit(page, where);
  await expectKeyboardOperable(page, where);
}

/** checkPage, unless a page with this path was checked already (pages passed through on the way, e.g. at login). */
export async function checkOnce(page: Page, where: string): Promise<void> {
  if (!seen.checked.has(new URL(page.url()).pathname)) await checkPage(page, where);
}

/** axe-core in the page (evaluated through DevTools, so the CSP stays strict): no serious or critical violations. */
export async function expectAccessible(page: Page, where: string): Promise<void> {
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const result = await (
      window as unknown as {
        axe: { run: (ctx: Document, opts: object) => Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] }> };
      }
    ).axe.run(document, {
      resultTypes: ['violations'],
    });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((x) => x.target.join(' ')).join(', ')}`);
  });
  if (violations.length) throw new Error(`Accessibility violations on ${where} (${page.url()}):\n${violations.join('\n')}`);
  seen.checked.add(new URL(page.url()).pathname);
}

/** The page scrolls sideways at this width? (usable at 320 px) */
export async function hasHorizontalScroll(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth + 1);
}

/** The widest element sticking out of the viewport (a box that scrolls on its own does not count). */
async function widestOverflow(page: Page) {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    let widest: { tag: string; cls: string; right: number; text: string } | null = null;
    const clipped = (el: HTMLElement) => {
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement)
        if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(p).overflowX)) return true;
      return false;
    };
    for (const el of Array.from(document.querySelectorAll<HTMLElement>('body *'))) {
      if (clipped(el) && !['absolute', 'fixed'].includes(getComputedStyle(el).position)) continue;
      const r = el.getBoundingClientRect();
      if (r.right > width + 1 && (!widest || r.right > widest.right))
        widest = { tag: el.tagName.toLowerCase(), cls: String(el.className), right: Math.round(r.right), text: (el.textContent ?? '').trim().slice(0, 50) };
    }
    return widest;
  });
}

/** The page fits its viewport: names the widest offending element when it does not. */
export async function expectNoHorizontalScroll(page: Page, where = ''): Promise<void> {
  if (!(await hasHorizontalScroll(page))) return;
  const culprit = await widestOverflow(page);
  throw new Error(
    `${where} ${page.url()} scrolls sideways at ${page.viewportSize()?.width}px: widest <${culprit?.tag} class="${culprit?.cls}"> "${culprit?.text}" ends at ${culprit?.right}px`,
  );
}

/** The page as it is now, narrowed to 320 px, does not scroll sideways (the viewport is put back). */
export async function expectNarrowFit(page: Page, where: string): Promise<void> {
  const size = page.viewportSize();
  if (!size || size.width <= NARROW) return expectNoHorizontalScroll(page, where);
  await page.setViewportSize({ width: NARROW, height: size.height });
  try {
    if (process.env.E2E_NARROW_SHOTS)
      await page.screenshot({ path: path.join(process.env.E2E_NARROW_SHOTS, `${where.replace(/[^\w]+/g, '_')}.png`), fullPage: true });
    await expectNoHorizontalScroll(page, where);
  } finally {
    await page.setViewportSize(size);
  }
}

interface FocusStop {
  stop: string;
  control: string | null;
  group: string | null;
  visible: boolean;
  desc: string;
}

const TAB = { key: 'Tab', code: 'Tab', windowsVirtualKeyCode: 9, nativeVirtualKeyCode: 9 };

/**
 * Presses Tab `count` times as the keyboard does (key down, key up), the events pipelined through
 * DevTools rather than awaited one by one: Chromium handles them in order, about 3× faster.
 */
async function pressTabs(page: Page, count: number): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const sent: Promise<unknown>[] = [];
    for (let i = 0; i < count; i++) {
      sent.push(cdp.send('Input.dispatchKeyEvent', { type: 'rawKeyDown', ...TAB }));
      sent.push(cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', ...TAB }));
    }
    await Promise.all(sent);
  } finally {
    await cdp.detach();
  }
}

/**
 * Keyboard only, once per page path and person: Tab alone, all the way round the page, reaches
 * every visible form control (one radio per group: arrows move within it), and every element
 * Tab stops on shows a visible focus indicator. Labels on every input are axe-core's `label` rule.
 */
export async function expectKeyboardOperable(page: Page, where: string): Promise<void> {
  const pathname = new URL(page.url()).pathname;
  const done = seen.keyboard.get(page.context()) ?? new Set<string>();
  seen.keyboard.set(page.context(), done);
  if (done.has(pathname)) return;
  const { controls, tabbable } = await page.evaluate(() => {
    const shown = (el: Element) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
    const describe = (el: Element) =>
      `<${el.tagName.toLowerCase()}${el.id ? ` id="${el.id}"` : ''}${el.getAttribute('name') ? ` name="${el.getAttribute('name')}"` : ''}> "${(el.textContent ?? '').replace(/\s+/g, ' ').trim().slice(0, 40)}"`;
    const groupOf = (el: Element) =>
      el instanceof HTMLInputElement && el.type === 'radio' ? `${Array.from(document.forms).indexOf(el.form!)}:${el.name}` : null;
    const controls = Array.from(document.querySelectorAll<HTMLElement>('input:not([type=hidden]), select, textarea, button'))
      .filter((el) => !(el as HTMLInputElement).disabled && shown(el))
      .map((el, i) => {
        el.dataset.kbdControl = String(i);
        return { id: String(i), group: groupOf(el), desc: describe(el) };
      });
    const tabbable = Array.from(
      document.querySelectorAll<HTMLElement>('a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]'),
    ).filter((el) => el.tabIndex >= 0 && shown(el));
    Array.from(document.querySelectorAll<HTMLElement>('*')).forEach((el, i) => (el.dataset.kbdStop = String(i)));
    const log: { stop: string; control: string | null; group: string | null; visible: boolean; desc: string }[] = [];
    const w = window as unknown as { __focusLog: typeof log; __onFocus: (e: FocusEvent) => void };
    w.__focusLog = log;
    w.__onFocus = (e) => {
      const el = e.target as HTMLElement;
      const s = getComputedStyle(el);
      const visible = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || (s.boxShadow !== 'none' && s.boxShadow !== '');
      log.push({ stop: el.dataset.kbdStop ?? '', control: el.dataset.kbdControl ?? null, group: groupOf(el), visible, desc: describe(el) });
    };
    document.addEventListener('focusin', w.__onFocus);
    (document.activeElement as HTMLElement | null)?.blur();
    window.scrollTo(0, 0);
    return { controls, tabbable: tabbable.length };
  });
  // Round the page until focus comes back to the first stop (a date field takes several presses).
  const limit = tabbable * 8 + 20;
  let stops: FocusStop[] = [];
  for (let presses = 0; presses < limit;) {
    const batch = Math.min(limit - presses, Math.max(10, tabbable + 2 - presses));
    await pressTabs(page, batch);
    presses += batch;
    stops = await page.evaluate(() => (window as unknown as { __focusLog: FocusStop[] }).__focusLog);
    if (stops.length > 1 && stops.slice(1).some((s) => s.stop === stops[0].stop)) break;
  }
  await page.evaluate(() => {
    const w = window as unknown as { __onFocus: (e: FocusEvent) => void };
    document.removeEventListener('focusin', w.__onFocus);
    document.querySelectorAll<HTMLElement>('[data-kbd-stop]').forEach((el) => {
      delete el.dataset.kbdStop;
      delete el.dataset.kbdControl;
    });
    (document.activeElement as HTMLElement | null)?.blur();
    window.scrollTo(0, 0);
  });
  const problems: string[] = [];
  if (tabbable > 0 && !stops.length) problems.push('Tab moves focus nowhere');
  for (const s of stops) if (!s.visible) problems.push(`no visible focus on ${s.desc}`);
  const reached = new Set(stops.map((s) => s.control));
  const reachedGroups = new Set(stops.map((s) => s.group));
  for (const c of controls) if (!reached.has(c.id) && !(c.group && reachedGroups.has(c.group))) problems.push(`Tab never reaches ${c.desc}`);
  if (problems.length) throw new Error(`Keyboard problems on ${where} (${page.url()}):\n${[...new Set(problems)].join('\n')}`);
  done.add(pathname);
}

/** Completes the login form with the keyboard only. */
export async function keyboardLogin(page: Page, base: string, email: string, password: string): Promise<void> {
  await page.goto(`${base}/login`);
  await checkOnce(page, 'login');
  for (let presses = 0; !(await page.evaluate(() => document.activeElement?.id === 'email')); presses++) {
    if (presses > 30) throw new Error('Tab never reached the email field on /login');
    await page.keyboard.press('Tab'); // skip link, brand, … email
  }
  await page.keyboard.type(email);
  await page.keyboard.press('Tab');
  await page.keyboard.type(password);
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  await checkOnce(page, 'after login');
}
