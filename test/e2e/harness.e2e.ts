/// <reference lib="dom" />
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM, expectAccessible, expectKeyboardOperable, expectNarrowFit } from './browser';

/**
 * The page checks can fail: each is shown a page with the defect it looks for (no app, no
 * database; a few seconds). A check that passes everything would make every journey green.
 */
let browser: Browser;
let page: Page;
beforeAll(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  page = await browser.newPage({ viewport: { width: 1024, height: 600 } });
  await page.route('http://harness.test/**', (route) => route.fulfill({ contentType: 'text/html', body: pages[new URL(route.request().url()).pathname] }));
});
afterAll(() => browser?.close());

const css = 'a:focus, button:focus, input:focus { outline: 3px solid orange; } .wide { width: 600px; }';
const doc = (body: string) => `<!doctype html><html lang="en"><head><title>t</title><style>${css}</style></head><body><main>${body}</main></body></html>`;
/** Each page on a path of its own: the keyboard check runs once per path. */
const pages: Record<string, string> = {};
async function show(name: string, body: string): Promise<void> {
  pages[`/${name}`] = doc(body);
  await page.goto(`http://harness.test/${name}`);
}
const form =
  '<form><label for="a">A</label><input id="a"> <fieldset><legend>G</legend><input type="radio" name="g" id="g1"><label for="g1">1</label><input type="radio" name="g" id="g2"><label for="g2">2</label></fieldset><label for="d">When</label><input type="datetime-local" id="d"><button>Send</button></form>'; // a date-time field takes several Tab presses

test('a good page passes all three checks', async () => {
  await show('good', `<h1>Fine</h1>${form}<p><a href="#x">a link</a></p>`);
  await expectAccessible(page, 'good');
  await expectNarrowFit(page, 'good');
  await expectKeyboardOperable(page, 'good');
  expect(page.viewportSize()!.width).toBe(1024); // put back after the 320 px look
});

test('a control Tab skips, and a focus with no indicator, are refused', async () => {
  await show('skipped', `<h1>Skipped</h1><form><label for="a">A</label><input id="a" tabindex="-1"><button>Send</button></form>`);
  await expect(expectKeyboardOperable(page, 'skip')).rejects.toThrow(/Tab never reaches <input id="a"/);
  await show('invisible', `<h1>Invisible</h1><style>button:focus { outline: none; }</style>${form}`);
  await expect(expectKeyboardOperable(page, 'invisible')).rejects.toThrow(/no visible focus on <button> "Send"/);
});

test('an unlabelled input is a critical axe violation; a 600 px box scrolls sideways at 320 px', async () => {
  await show('unlabelled', '<h1>Bad</h1><form><input id="x"><button>Go</button></form>');
  await expect(expectAccessible(page, 'bad')).rejects.toThrow(/label \(critical\)/);
  await show('wide', '<h1>Wide</h1><div class="wide">wide</div>');
  await expect(expectNarrowFit(page, 'wide')).rejects.toThrow(/scrolls sideways at 320px: widest <div class="wide">/);
  expect(page.viewportSize()!.width).toBe(1024);
});
