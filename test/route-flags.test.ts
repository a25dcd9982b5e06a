import type { Request, Response } from 'express';
import { navMenus } from '../src/http/nav';
import { flagMiddleware } from '../src/http/route-flags';
import { routeTable } from '../src/http/route-table';
import type { RouteDef } from '../src/http/routing';
import { startTestApp, type Session, type TestApp } from './helpers/test-app';

/**
 * The route table's flags do what they say (issue 15): `secretUrl` pages send
 * Referrer-Policy: no-referrer, only `multipart` routes take a multipart body, and the main
 * menu is built from the `nav` entries.
 */
let t: TestApp;
let instructor: Session;
beforeAll(async () => {
  t = await startTestApp({ now: '2020-01-08T15:00:00Z' });
  instructor = await t.login('instructor@cohort.example');
});
afterAll(() => t.close());

const routes: RouteDef[] = routeTable(() => {
  throw new Error('not used');
});

test('a secret-URL page sends Referrer-Policy: no-referrer, set by the route itself', async () => {
  const res = await t.anonymous().get('/set-password/not-a-real-token');
  expect(res.headers['referrer-policy']).toBe('no-referrer');

  const secret = routes.filter((r) => r.secretUrl);
  expect(secret.map((r) => r.path)).toEqual(expect.arrayContaining(['/set-password/:token', '/confirm-email/:token', '/calendar/feed/:token.ics']));
  for (const route of secret) {
    const headers: Record<string, string> = {};
    const res = { set: (name: string, value: string) => (headers[name] = value) } as unknown as Response;
    for (const mw of flagMiddleware(route).beforeGuard) mw({} as Request, res, () => undefined);
    expect(headers['Referrer-Policy']).toBe('no-referrer');
  }
});

test('a multipart POST to a plain form route is refused with 415 and changes nothing', async () => {
  const before = await t.db.selectFrom('app_user').select('time_zone').where('email', '=', 'instructor@cohort.example').executeTakeFirstOrThrow();
  const res = await instructor.upload('/settings', { time_zone: 'Pacific/Auckland' });
  expect(res.status).toBe(415);
  expect(res.text).toContain('This form does not take files.');
  const after = await t.db.selectFrom('app_user').select('time_zone').where('email', '=', 'instructor@cohort.example').executeTakeFirstOrThrow();
  expect(after).toEqual(before);
});

test('who may call a route is still answered first: a guest posting multipart is sent to log in', async () => {
  const res = await t.anonymous().agent.post('/settings').field('time_zone', 'Pacific/Auckland');
  expect(res.status).toBe(303);
  expect(res.headers.location).toMatch(/^\/login/);
});

test('a multipart route still takes its upload', async () => {
  const res = await instructor.upload('/instructor/roster/import', {}, [
    { field: 'file', buffer: Buffer.from('name,email,section\nPia Nowak,pia.flags@umich.edu,EDUC 551\n'), filename: 'roster.csv', contentType: 'text/csv' },
  ]);
  expect(res.status).toBe(303);
  expect(res.headers.location).toMatch(/^\/instructor\/roster\/imports\/\d+$/);
});

test('the main menu per role comes from the route table, in the order it has always had', async () => {
  const menus = navMenus(routes);
  expect(menus.student.map((l) => `${l.label} ${l.href}`)).toEqual([
    'This week /',
    'Calendar /calendar',
    'Lessons /lessons',
    'edX progress /progress/edx',
    'Portfolios /portfolios',
    'Peer assessment /peer-assessments',
    'Certificates /certificates',
    'Attendance /attendance',
    'Inbox /inbox',
    'Progressions /progressions',
    'Settings /settings',
  ]);
  // A community learner's menu (issue 17): the learner pages, none of the campus cohort's.
  expect(menus.community.map((l) => `${l.label} ${l.href}`)).toEqual([
    'This week /',
    'Calendar /calendar',
    'Lessons /lessons',
    'Portfolios /portfolios',
    'Inbox /inbox',
    'Progressions /progressions',
    'Settings /settings',
  ]);
  expect(menus.instructor.map((l) => l.href)).toEqual([
    '/',
    '/calendar',
    '/lessons',
    '/instructor/roster',
    '/instructor/community',
    '/instructor/overview',
    '/instructor/attendance',
    '/instructor/events',
    '/instructor/edx-import',
    '/instructor/insights',
    '/instructor/run-charts',
    '/instructor/gradebook',
    '/instructor/extensions',
    '/instructor/reminders',
    '/instructor/announcements',
    '/progressions',
    '/settings',
  ]);
  const page = await instructor.get('/settings').expect(200);
  expect(page.text).toContain('<li><a href="/">Home</a></li>');
  expect(page.text).toContain('<li><a href="/settings" aria-current="page">Settings</a></li>');
});
