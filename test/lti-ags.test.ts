import { decodeJwt, decodeProtectedHeader } from 'jose';
import { agsService } from '../src/lti/ags/ags.service';
import { scoresUrl } from '../src/lti/ags/score-client';
import { runRegister } from '../src/lti/register-command';
import { currentToolKey } from '../src/lti/tool-keys';
import { runJobsOnce } from '../src/worker/worker';
import { userIdsByLocalPart } from './helpers/builders';
import { LtiPlatform } from './helpers/lti-platform';
import { step } from './helpers/story';
import { startTestApp, type Session, type TestApp } from './helpers/test-app';
import { withBase } from './helpers/versions';

/**
 * Grades back to edX (issue 18, LTI Assignment and Grade Services): the instructor grades a
 * portfolio on the grading page, the worker sends the score to the line item the student's launch
 * named, through the platform emulator (test/helpers/lti-platform.ts), which checks the tool's
 * client assertion against /lti/jwks and records every score. Exactly once, only on a grade change,
 * retried with backoff, failures shown in the gradebook, the newest grade wins, never another line item.
 */
let t: TestApp;
let platform: LtiPlatform;
let instructor: Session;
let platformId: number;
let req502: number;
const ids: Record<string, number> = {};
const submissionOf: Record<string, number> = {};
const SCORE_SCOPE = 'https://purl.imsglobal.org/spec/lti-ags/scope/score';

async function submit(who: string): Promise<void> {
  const s = await t.login(`${who}@cohort.example`);
  const res = await s.post(`/portfolios/${req502}/submit`, { confirm: 'yes' });
  expect(res.status).toBe(303);
  submissionOf[who] = Number(res.headers.location.match(/submissions\/(\d+)/)![1]);
}

async function grade(who: string, grade: 'S' | 'U', feedback: string, at: string): Promise<void> {
  t.clock.set(at);
  const path = `/instructor/submissions/${submissionOf[who]}/grade`;
  const res = await instructor.post(path, await withBase(instructor, path, path, { grade, feedback }));
  expect(res.status).toBe(303);
}

const nameOf: Record<string, string> = {};
async function gradebookCell(who: string): Promise<string> {
  const html = (await instructor.get('/instructor/gradebook').expect(200)).text;
  const rows = html
    .split('<tbody>')[1]
    .split('<tr>')
    .filter((r) => r.includes(`<strong>${nameOf[who]}</strong>`));
  expect(rows).toHaveLength(1);
  return rows[0];
}

const scoresOf = (sub: string) => platform.scores.filter((s) => s.body.userId === sub);
const postsOf = (who: string) => t.db.selectFrom('lti_score_post').selectAll().where('user_id', '=', ids[who]).orderBy('id').execute();

beforeAll(async () => {
  t = await startTestApp({ now: '2020-02-20T15:00:00Z' });
  platform = await LtiPlatform.start(
    () => t.clock.now(),
    async () => (await t.anonymous().get('/lti/jwks')).body as never,
  );
  await runRegister(t.db, platform.registerArgs(), t.ctx.config.baseUrl, t.clock.now());
  platformId = (await t.db.selectFrom('lti_platform').select('id').where('client_id', '=', platform.clientId).executeTakeFirstOrThrow()).id;
  instructor = await t.login('instructor@cohort.example');
  Object.assign(ids, await userIdsByLocalPart(t));
  req502 = (
    await t.db
      .selectFrom('portfolio_requirement as pr')
      .innerJoin('edx_course as c', 'c.id', 'pr.edx_course_id')
      .select('pr.id')
      .where('c.code', '=', 'LeadEd502x')
      .executeTakeFirstOrThrow()
  ).id;
  for (const u of await t.db.selectFrom('app_user').select(['id', 'name', 'email']).execute()) nameOf[u.email.split('@')[0]] = u.name;

  // student1 and student5 launched from edX (linked, each with their own line item); student4 has
  // a line item but no link; student2 never launched from edX.
  const linked = { student1: 'edx-sub-ava', student5: 'edx-sub-grace' };
  for (const [who, sub] of Object.entries(linked))
    await t.db
      .insertInto('lti_user_link')
      .values({ platform_id: platformId, sub, user_id: ids[who], linked_by: 'email', linked_at: t.clock.now(), last_launch_at: t.clock.now() })
      .execute();
  const target = (who: string, lineitem: string) =>
    agsService.recordGradeTarget(t.db, { userId: ids[who], requirementId: req502, platformId, lineitem, scopes: [SCORE_SCOPE], now: t.clock.now() });
  await target('student1', platform.lineitemUrl(1));
  await target('student5', `${platform.lineitemUrl(2)}?resource_link=abc`);
  await target('student4', platform.lineitemUrl(4));

  t.clock.set('2020-02-25T15:00:00Z');
  for (const who of ['student1', 'student5', 'student4', 'student2']) await submit(who);
}, 60_000);
afterAll(async () => {
  await platform?.close();
  await t?.close();
}, 60_000);

test('grades go back to edX: once per grade change, retried, shown in the gradebook, the newest wins, only to the student’s own line item', async () => {
  await step('the score URL is the line item’s path plus /scores, its query string kept', async () => {
    expect(scoresUrl('https://edx.example/api/lti/1/lti-ags/7?x=1')).toBe('https://edx.example/api/lti/1/lti-ags/7/scores?x=1');
    expect(scoresUrl('https://edx.example/api/lti/1/lti-ags/7/')).toBe('https://edx.example/api/lti/1/lti-ags/7/scores');
  });

  await step('a launch without the score scope, or naming no web URL, records no target that accepts scores', async () => {
    await agsService.recordGradeTarget(t.db, {
      userId: ids.student2,
      requirementId: req502,
      platformId,
      lineitem: platform.lineitemUrl(9),
      scopes: ['https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly'],
      now: t.clock.now(),
    });
    expect(
      await agsService.recordGradeTarget(t.db, {
        userId: ids.student2,
        requirementId: req502,
        platformId,
        lineitem: 'javascript:alert(1)',
        scopes: [SCORE_SCOPE],
        now: t.clock.now(),
      }),
    ).toBe(false);
    expect(await t.db.selectFrom('lti_grade_target').select(['lineitem', 'can_post_scores']).where('user_id', '=', ids.student2).execute()).toEqual([
      { lineitem: platform.lineitemUrl(9), can_post_scores: false },
    ]);
  });

  await step('graded S on the grading page: the worker sends one score 1 of 1 to Ava’s line item with a verified token', async () => {
    await grade('student1', 'S', 'Strong study guides.', '2020-03-05T16:00:00Z');
    expect(await gradebookCell('student1')).toContain('Waiting to send (attempt 1)');
    await t.runWorker();
    expect(platform.scores).toHaveLength(1);
    const [score] = platform.scores;
    expect(score.lineitem).toBe(platform.lineitemUrl(1));
    expect(score.contentType).toBe('application/vnd.ims.lis.v1.score+json');
    expect(score.body).toEqual({
      userId: 'edx-sub-ava',
      scoreGiven: 1,
      scoreMaximum: 1,
      activityProgress: 'Completed',
      gradingProgress: 'FullyGraded',
      timestamp: '2020-03-05T16:00:00.000Z',
    });
    // The bearer token is one the emulator issued for a client assertion it verified against /lti/jwks.
    expect(score.authorization).toMatch(/^Bearer [0-9a-f-]{36}$/);
    const tokenRequest = platform.tokenRequests.at(-1)!;
    expect(tokenRequest).toMatchObject({
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      scope: SCORE_SCOPE,
    });
    expect(decodeProtectedHeader(tokenRequest.client_assertion)).toMatchObject({ alg: 'RS256', kid: (await currentToolKey(t.db, t.clock.now())).kid });
    const claims = decodeJwt(tokenRequest.client_assertion);
    expect(claims).toMatchObject({ iss: platform.clientId, sub: platform.clientId, aud: platform.tokenUrl });
    expect(claims.exp! - claims.iat!).toBe(300);
    expect(claims.jti).toEqual(expect.any(String));
    expect(await gradebookCell('student1')).toContain('Sent to edX ✓ (');
  });

  await step('running the worker again sends nothing more; a feedback-only edit sends nothing', async () => {
    await t.runWorker();
    expect(platform.scores).toHaveLength(1);
    await grade('student1', 'S', 'Strong study guides. Keep linking artifacts to the readings.', '2020-03-05T17:00:00Z');
    await t.runWorker();
    expect(platform.scores).toHaveLength(1);
    expect(await postsOf('student1')).toHaveLength(1);
  });

  await step('changed to U: one score 0', async () => {
    await grade('student1', 'U', 'The reflection is missing.', '2020-03-06T15:00:00Z');
    await t.runWorker();
    expect(platform.scores).toHaveLength(2);
    expect(platform.scores[1]).toMatchObject({
      lineitem: platform.lineitemUrl(1),
      body: { userId: 'edx-sub-ava', scoreGiven: 0, timestamp: '2020-03-06T15:00:00.000Z' },
    });
  });

  await step('the platform busy (503): the gradebook shows its answer, the score is retried after the backoff, then sent', async () => {
    platform.failScores = { status: 503, body: 'busy', times: 1 };
    await grade('student1', 'S', 'Reflection added: well done.', '2020-03-07T15:00:00Z');
    await t.runWorker();
    expect(platform.scores).toHaveLength(2);
    const waiting = await gradebookCell('student1');
    expect(waiting).toContain('Waiting to send (attempt 2)');
    expect(waiting).toContain('503 busy');
    await t.runWorker(); // not due yet
    expect(platform.scores).toHaveLength(2);
    expect((await postsOf('student1')).at(-1)).toMatchObject({ status: 'pending', attempts: 1, last_status: 503 });
    t.clock.set('2020-03-07T15:01:01Z');
    await t.runWorker();
    expect(platform.scores).toHaveLength(3);
    expect(platform.scores[2].body).toMatchObject({ userId: 'edx-sub-ava', scoreGiven: 1, timestamp: '2020-03-07T15:00:00.000Z' });
    expect(await gradebookCell('student1')).toContain('Sent to edX ✓ (');
  });

  await step('a 400 is final: failed, shown with the platform’s answer, never retried', async () => {
    platform.failScores = { status: 400, body: 'Score timestamp can only be updated to a later point in time', times: 1 };
    await grade('student1', 'U', 'On reflection, the reflection is too thin.', '2020-03-08T15:00:00Z');
    await t.runWorker();
    expect(await gradebookCell('student1')).toContain('Failed: 400 Score timestamp can only be updated to a later point in time');
    t.clock.set('2020-03-10T15:00:00Z');
    await t.runWorker();
    expect(platform.scores).toHaveLength(3);
    expect((await postsOf('student1')).at(-1)).toMatchObject({ status: 'failed', attempts: 1, last_status: 400 });
  });

  await step('two workers at once send Grace’s score once, to her own line item (query string kept)', async () => {
    await grade('student5', 'S', 'Good work.', '2020-03-11T15:00:00Z');
    await Promise.all([runJobsOnce(t.ctx), runJobsOnce(t.ctx)]);
    await t.runWorker();
    const grace = scoresOf('edx-sub-grace');
    expect(grace).toHaveLength(1);
    expect(grace[0]).toMatchObject({ lineitem: platform.lineitemUrl(2), body: { scoreGiven: 1 } });
  });

  await step('the newest grade wins: a retry waiting when the grade changes again is replaced, not sent', async () => {
    platform.failScores = { status: 503, body: 'busy', times: 1 };
    await grade('student5', 'U', 'Missing the team artifact.', '2020-03-12T15:00:00Z');
    await t.runWorker();
    expect(scoresOf('edx-sub-grace')).toHaveLength(1);
    await grade('student5', 'S', 'Team artifact found: my mistake.', '2020-03-12T15:00:30Z');
    t.clock.set('2020-03-12T15:02:00Z');
    await t.runWorker();
    await t.runWorker();
    const grace = scoresOf('edx-sub-grace');
    expect(grace.map((s) => s.body.scoreGiven)).toEqual([1, 1]);
    expect(grace[1].body.timestamp).toBe('2020-03-12T15:00:30.000Z');
    const posts = await postsOf('student5');
    expect(posts.map((p) => [p.status, p.sent_at !== null])).toEqual([
      ['sent', true],
      ['sent', false],
      ['sent', true],
    ]);
    expect(posts[1].last_answer).toContain('a newer grade replaced it');
    expect(await gradebookCell('student5')).toContain('Sent to edX ✓ (');
  });

  await step('a student with a line item but no edX link: failed with a clear answer, nothing posted', async () => {
    await grade('student4', 'S', 'Fine.', '2020-03-13T15:00:00Z');
    await t.runWorker();
    expect((await postsOf('student4')).map((p) => p.status)).toEqual(['failed']);
    expect(await gradebookCell('student4')).toContain('Failed: Not sent: this student has no linked account on this platform');
  });

  await step('a student who never launched from edX: nothing sent, nothing extra in the gradebook', async () => {
    await grade('student2', 'S', 'Fine.', '2020-03-13T16:00:00Z');
    await t.runWorker();
    expect(await postsOf('student2')).toHaveLength(0);
    const cell = await gradebookCell('student2');
    for (const text of ['Sent to edX', 'Waiting to send', 'Failed:']) expect(cell).not.toContain(text);
  });

  await step('a platform that refuses the connection: the worker goes on, the post waits for its retry, the gradebook says why', async () => {
    await t.db
      .insertInto('lti_user_link')
      .values({
        platform_id: platformId,
        sub: 'edx-sub-olivia',
        user_id: ids.student3,
        linked_by: 'email',
        linked_at: t.clock.now(),
        last_launch_at: t.clock.now(),
      })
      .execute();
    // Port 1 on this machine: nothing listens, the connection is refused.
    await agsService.recordGradeTarget(t.db, {
      userId: ids.student3,
      requirementId: req502,
      platformId,
      lineitem: 'http://127.0.0.1:1/api/lti_consumer/v1/lti/3/lti-ags/3',
      scopes: [SCORE_SCOPE],
      now: t.clock.now(),
    });
    await submit('student3');
    await grade('student3', 'S', 'Fine.', '2020-03-14T15:00:00Z');
    await t.runWorker();
    expect((await postsOf('student3')).map((p) => [p.status, p.attempts, p.last_status])).toEqual([['pending', 1, null]]);
    const cell = await gradebookCell('student3');
    expect(cell).toContain('Waiting to send (attempt 2)');
    expect(cell).toContain('Could not reach 127.0.0.1:1');
  });

  await step('every score went to its own student’s line item, and only to line items the launches named', async () => {
    expect(scoresOf('edx-sub-ava').every((s) => s.lineitem === platform.lineitemUrl(1))).toBe(true);
    expect(scoresOf('edx-sub-grace').every((s) => s.lineitem === platform.lineitemUrl(2))).toBe(true);
    expect(platform.scores).toHaveLength(scoresOf('edx-sub-ava').length + scoresOf('edx-sub-grace').length);
  });
});
