/// <reference lib="dom" />
import type { Page } from 'playwright-core';
import { DEMO_PASSWORD } from '../helpers/db';
import { checkOnce, type Journey } from './browser';

export { expectNoHorizontalScroll } from './browser';

/**
 * Helpers shared by the journeys: a step on a chosen page (several people take turns), reaching
 * a control with Tab alone (every stop on the way must show a visible focus indicator), and
 * "no sideways scrolling at this width".
 */

/** j.step (screenshot + axe) on `page`: j.step itself always uses the journey's current page. */
export async function stepOn(j: Journey, page: Page, name: string): Promise<void> {
  j.page = page;
  await j.step(name);
}

/** What the focused element looks like: enough to tell whether focus is visible. */
async function focusedElement(page: Page) {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return null;
    const s = getComputedStyle(el);
    const visible = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || (s.boxShadow !== 'none' && s.boxShadow !== '');
    return { tag: el.tagName.toLowerCase(), id: el.id, text: (el.textContent ?? '').trim().slice(0, 60), visible };
  });
}

/**
 * Presses Tab (from wherever focus is) until `selector` has focus, asserting a visible focus
 * indicator on every element passed on the way. Fails after `max` presses.
 */
export async function tabTo(page: Page, selector: string, max = 250): Promise<number> {
  for (let presses = 1; presses <= max; presses++) {
    await page.keyboard.press('Tab');
    const el = await focusedElement(page);
    if (el && !el.visible) throw new Error(`Focus is not visible on <${el.tag} id="${el.id}"> "${el.text}" (${page.url()})`);
    if (await page.evaluate((sel) => document.activeElement?.matches(sel) ?? false, selector)) return presses;
  }
  throw new Error(`Tab never reached ${selector} on ${page.url()} within ${max} presses`);
}

/** Starts keyboard navigation at the top of the page, as a fresh page load does. */
export async function focusTop(page: Page): Promise<void> {
  await page.evaluate(() => {
    (document.activeElement as HTMLElement | null)?.blur();
    window.scrollTo(0, 0);
  });
}

/** Logs in through the form (filled, not typed key by key: keyboardLogin shows the keyboard path). */
export async function signIn(page: Page, base: string, email: string): Promise<void> {
  await page.goto(`${base}/login`);
  await checkOnce(page, 'login');
  await page.fill('#email', email);
  await page.fill('#password', DEMO_PASSWORD);
  await clickAndWait(page, 'main button[type="submit"]');
  if (new URL(page.url()).pathname === '/login') throw new Error(`login as ${email} failed`);
  await checkOnce(page, 'after login');
}

/** Presses Enter on the focused control and waits for the page it leads to. */
export async function enterAndWait(page: Page): Promise<void> {
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
}

/** Clicks and waits for the resulting page load (form posts and links). */
export async function clickAndWait(page: Page, selector: string): Promise<void> {
  await Promise.all([page.waitForNavigation(), page.click(selector)]);
}

/** Text of the first element matching selector, whitespace collapsed. */
export async function textOf(page: Page, selector: string): Promise<string> {
  return ((await page.textContent(selector)) ?? '').replace(/\s+/g, ' ').trim();
}
