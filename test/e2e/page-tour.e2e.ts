/// <reference lib="dom" />
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { routeTable } from '../../src/http/route-table';
import type { RouteDef } from '../../src/http/routing';
import { fillPath, loadFixture, type Fixture } from '../security/fixtures';
import { expectAccessible, expectKeyboardOperable, startJourney, type Journey } from './browser';
import { expectNoHorizontalScroll, signIn } from './page-helpers';

/**
 * Every page in the route table, generated from it (a new page is toured without editing this
 * file): each GET route that answers with HTML is opened in Chromium by whoever may see it (an
 * anonymous visitor, student1, the instructor) at 320 px, the narrowest width we support and
 * where tables overflow most, and checked with axe-core (no serious or critical violations), for
 * sideways scrolling of the page itself (a wide table may scroll inside its own box), and with
 * the keyboard (Tab reaches every form control, focus always visible).
 * Records come from the security suite's fixture (student1's work) plus a peer assignment,
 * planned reminders and an edX grade report import made here. Findings are collected and
 * reported together, each with a screenshot under test-results/page-tour/.
 */
let j: Journey;
let f: Fixture;
const extraIds: Record<string, number> = {};
beforeAll(async () => {
  j = await startJourney('page-tour', { now: '2020-02-24T15:00:00Z' });
  f = await loadFixture(j.t);
  const instructor = await j.t.login('instructor@cohort.example');
  await instructor.post(`/instructor/peer-assignments/${f.ids.requirement}`, { action: 'assign', seed: 'tour' });
  await j.t.runWorker(); // plans the reminders
  const report = 'MichiganX_LeadEd502x_1T2020_grade_report_2020-02-03-1532.csv';
  await instructor.upload('/instructor/edx-import', { edxCourseId: String(f.ids.edxCourse) }, [
    { field: 'report', buffer: fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'edx', report)), filename: report, contentType: 'text/csv' },
  ]);
  const assignment = await j.t.db.selectFrom('peer_assignment').select('id').where('assessor_id', '=', f.ids.studentA).executeTakeFirstOrThrow();
  const reminder = await j.t.db.selectFrom('reminder').select('id').orderBy('id').executeTakeFirstOrThrow();
  const edxImport = await j.t.db.selectFrom('edx_import').select('id').executeTakeFirstOrThrow();
  extraIds.assignmentId = assignment.id;
  extraIds.reminderId = reminder.id;
  extraIds.importId = edxImport.id;
});
afterAll(() => j?.close());

type Visitor = 'anonymous' | 'student' | 'instructor';
const routes = routeTable(() => {
  throw new Error('not used');
});

function visitorsOf(r: RouteDef): Visitor[] {
  if (r.access === 'guest' || r.access === 'public') return ['anonymous'];
  if (r.access === 'authenticated') return ['student', 'instructor'];
  return [...(r.access.includes('student') ? ['student' as const] : []), ...(r.access.includes('instructor') ? ['instructor' as const] : [])];
}

async function pageFor(visitor: Visitor, width: number): Promise<Page> {
  const page = await j.newPage({ width });
  if (visitor !== 'anonymous') await signIn(page, j.base, visitor === 'student' ? 'student1@cohort.example' : 'instructor@cohort.example');
  return page;
}

async function tour(visitor: Visitor, width = 320): Promise<{ visited: string[]; findings: string[] }> {
  const page = await pageFor(visitor, width);
  const visited: string[] = [];
  const findings: string[] = [];
  for (const r of routes.filter((x) => x.method === 'get' && visitorsOf(x).includes(visitor))) {
    // Not pages: probes, files, and machine endpoints (the LTI tool's JWK Set is JSON for platforms).
    const machine = r.path === '/healthz' || r.path === '/readyz' || r.path === '/lti/jwks';
    if (machine || r.path.endsWith('.csv') || r.path.endsWith('.ics') || r.path.startsWith('/attachments/')) continue;
    const url = fillPath(r.path, f, extraIds);
    const res = await page.goto(`${j.base}${url}`);
    if (!res || res.status() >= 500) {
      findings.push(`${visitor} ${url}: status ${res?.status()}`);
      continue;
    }
    if (!(res.headers()['content-type'] ?? '').includes('text/html')) continue;
    visited.push(url);
    const shot = async (why: string) =>
      page.screenshot({
        path: path.join(__dirname, '..', '..', 'test-results', 'page-tour', `${visitor}-${width}-${why}${url.replace(/[^\w]+/g, '_')}.png`),
        fullPage: true,
      });
    try {
      await expectAccessible(page, `${visitor} ${url}`);
    } catch (e) {
      findings.push((e as Error).message);
      await shot('axe');
    }
    try {
      await expectNoHorizontalScroll(page);
    } catch (e) {
      findings.push(`${visitor}: ${(e as Error).message}`);
      await shot('scroll');
    }
    try {
      await expectKeyboardOperable(page, `${visitor} ${url}`);
    } catch (e) {
      findings.push((e as Error).message);
      await shot('keyboard');
    }
  }
  return { visited, findings };
}

test('every page an anonymous visitor can open: no serious accessibility violations, none scrolls sideways at 320 px, Tab reaches every control', async () => {
  const { visited, findings } = await tour('anonymous');
  expect(visited).toEqual(expect.arrayContaining(['/login', '/forgot-password']));
  expect(findings).toEqual([]);
});

test('every page student1 can open: no serious accessibility violations, none scrolls sideways at 320 px, Tab reaches every control', async () => {
  const { visited, findings } = await tour('student');
  expect(visited).toEqual(
    expect.arrayContaining(['/', '/calendar', `/lessons/${f.ids.unit}`, `/portfolios/${f.ids.requirement}`, `/peer-assessments/${extraIds.assignmentId}`]),
  );
  expect(findings).toEqual([]);
});

test('every page the instructor can open: no serious accessibility violations, none scrolls sideways at 320 px, Tab reaches every control', async () => {
  const { visited, findings } = await tour('instructor');
  expect(visited).toEqual(
    expect.arrayContaining(['/instructor/roster', '/instructor/gradebook', '/instructor/reminders', `/instructor/edx-import/progress/${f.ids.edxCourse}`]),
  );
  expect(findings).toEqual([]);
});
