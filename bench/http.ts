/**
 * The few HTTP steps the bench takes as a real browser would: log in through the form (CSRF
 * token and session cookie), post a form, read a page. The app runs with NODE_ENV=production,
 * so its session cookie is Secure: every request says it came through a TLS-terminating proxy
 * on loopback (X-Forwarded-Proto: https; the app trusts loopback proxies), as in a deployment.
 */
export const PROXY_HEADERS = { 'x-forwarded-proto': 'https' } as const;

export function cookieOf(res: Response): string {
  return (res.headers.get('set-cookie') ?? '').split(';')[0];
}

export function csrfOf(html: string): string {
  const m = html.match(/name="_csrf" value="([^"]+)"/);
  if (!m) throw new Error('No CSRF token on the page');
  return m[1];
}

/** Logs in and returns the session cookie (`cc.sid=…`). */
export async function login(base: string, email: string, password: string): Promise<string> {
  const page = await fetch(`${base}/login`, { headers: PROXY_HEADERS });
  const cookie = cookieOf(page);
  const csrf = csrfOf(await page.text());
  const res = await fetch(`${base}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { ...PROXY_HEADERS, 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: new URLSearchParams({ _csrf: csrf, email, password }).toString(),
  });
  if (res.status !== 303) throw new Error(`login ${email}: ${res.status}`);
  return cookieOf(res);
}

export async function getPage(base: string, path: string, cookie: string): Promise<{ status: number; text: string }> {
  const res = await fetch(`${base}${path}`, { headers: { ...PROXY_HEADERS, cookie }, redirect: 'manual' });
  return { status: res.status, text: await res.text() };
}

/** Posts a form from `fromPath` (its CSRF token) to `path`; returns the status. */
export async function postForm(base: string, fromPath: string, path: string, cookie: string, form: Record<string, string> = {}): Promise<number> {
  const page = await getPage(base, fromPath, cookie);
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { ...PROXY_HEADERS, 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: new URLSearchParams({ _csrf: csrfOf(page.text), ...form }).toString(),
  });
  await res.arrayBuffer();
  return res.status;
}

/** The student's personal calendar feed path: the live link on /calendar, created if there is none. */
export async function calendarFeedPath(base: string, cookie: string): Promise<string> {
  const find = (html: string) => html.match(/https?:\/\/[^"<\s]*(\/calendar\/feed\/[A-Za-z0-9_-]+\.ics)/)?.[1];
  const existing = find((await getPage(base, '/calendar', cookie)).text);
  if (existing) return existing;
  const status = await postForm(base, '/calendar', '/calendar/feed/regenerate', cookie);
  if (status !== 303) throw new Error(`POST /calendar/feed/regenerate: ${status}`);
  const made = find((await getPage(base, '/calendar', cookie)).text);
  if (!made) throw new Error('No calendar feed link on /calendar after creating one');
  return made;
}
