import { createLocalJWKSet, jwtVerify } from 'jose';
import type { Response } from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { runRegister } from '../src/lti/register-command';
import { LtiPlatform, INSTRUCTOR_ROLES, type LaunchSpec } from './helpers/lti-platform';
import { DEMO_PASSWORD } from './helpers/db';
import { startTestApp, type TestApp } from './helpers/test-app';
import { withBase } from './helpers/versions';
import { step } from './helpers/story';

/**
 * LTI 1.3 launches from edX (issue 18), against an independent platform emulator that signs its
 * launches with its own key (test/helpers/lti-platform.ts): the OIDC login → launch handshake, who
 * is launching (sub, email claim, a one-time sign-in), where a launch lands, the cookie-less path
 * (a single-use code opened in a new window), Deep Linking, and every refusal as a 4xx page.
 */
let t: TestApp;
let edx: LtiPlatform;
let launchUrl: string;
let lesson3: number;
let portfolio502: number;

beforeAll(async () => {
  t = await startTestApp({ now: '2020-02-10T15:00:00Z' });
  edx = await LtiPlatform.start(
    () => t.clock.now(),
    async () => (await t.anonymous().get('/lti/jwks')).body as never,
  );
  await runRegister(t.db, edx.registerArgs(), t.ctx.config.baseUrl, t.clock.now());
  launchUrl = `${t.ctx.config.baseUrl}/lti/launch`;
  const unit = await t.db
    .selectFrom('unit')
    .innerJoin('edx_course', 'edx_course.id', 'unit.edx_course_id')
    .select('unit.id')
    .where('edx_course.code', '=', 'LeadEd502x')
    .where('unit.lesson_number', '=', 3)
    .executeTakeFirstOrThrow();
  lesson3 = unit.id;
  const req = await t.db
    .selectFrom('portfolio_requirement')
    .innerJoin('edx_course', 'edx_course.id', 'portfolio_requirement.edx_course_id')
    .select('portfolio_requirement.id')
    .where('edx_course.code', '=', 'LeadEd502x')
    .executeTakeFirstOrThrow();
  portfolio502 = req.id;
}, 60_000);

afterAll(async () => {
  await edx.close();
  await t.close();
});

type Agent = InstanceType<typeof TestAgent>;

/** The browser's part of the handshake: the platform sends it to /lti/login, the tool to the platform, the platform posts back. */
async function handshake(agent: Agent, spec: LaunchSpec, tamper?: (form: { id_token: string; state: string }) => Promise<void> | void) {
  const login = await agent.get('/lti/login').query(edx.loginParams(launchUrl));
  expect(login.status).toBe(302);
  const { redirectUri, form } = await edx.authorize(login.headers.location, spec);
  expect(redirectUri).toBe(launchUrl);
  if (tamper) await tamper(form);
  const res = await agent.post('/lti/launch').type('form').send(form);
  return { res, form };
}

const browser = () => t.anonymous().agent;
const codeOf = (res: Response) => new URL(res.headers.location, 'http://x').searchParams.get('code')!;
const frameAncestors = (res: Response) => String(res.headers['content-security-policy']).match(/frame-ancestors ([^;]*)/)?.[1] ?? '';

describe('a learner launches from edX', () => {
  test('signed in on the lesson the link names, in the frame when it keeps the session', async () => {
    const agent = browser();
    const { res } = await handshake(agent, { sub: 'edx-ava', email: ' Student1@Cohort.Example ', custom: { unit: 'LeadEd502x-03' } });
    await step('the launch signs her in and sends the frame on with a single-use code', async () => {
      expect(res.status).toBe(303);
      expect(res.headers.location).toMatch(/^\/lti\/continue\?code=/);
      expect(frameAncestors(res)).toContain(edx.base);
    });
    await step('the frame kept the session: straight on to lesson 3, framed by the platform only', async () => {
      const next = await agent.get(res.headers.location);
      expect(next.status).toBe(303);
      expect(next.headers.location).toBe(`/lessons/${lesson3}`);
      const page = await agent.get(next.headers.location);
      expect(page.status).toBe(200);
      expect(page.text).toContain('Ava Thompson');
      expect(frameAncestors(page)).toBe(`'self' ${edx.base}`);
      expect(page.headers['x-frame-options']).toBeUndefined();
    });
    await step('the sub is linked by the email claim, once', async () => {
      const links = await t.db
        .selectFrom('lti_user_link')
        .innerJoin('app_user', 'app_user.id', 'lti_user_link.user_id')
        .select(['email', 'linked_by'])
        .where('sub', '=', 'edx-ava')
        .execute();
      expect(links).toEqual([{ email: 'student1@cohort.example', linked_by: 'email' }]);
    });
    await step('the code is spent: the same continue link does not sign anyone in again', async () => {
      expect((await browser().get(res.headers.location)).status).toBe(410);
    });
    await step('a later launch with the sub alone (no email claim) signs her in and, with no unit, lands on This week', async () => {
      const other = browser();
      const { res: again } = await handshake(other, { sub: 'edx-ava' }); // linked in the step above
      expect(again.status).toBe(303);
      const next = await other.get(again.headers.location);
      expect(next.headers.location).toBe('/');
      expect((await other.get('/')).text).toContain('Ava Thompson');
    });
  });

  test('without third-party cookies: the frame offers one button that signs her in in a new window, once', async () => {
    const frame = browser();
    const { res } = await handshake(frame, { sub: 'edx-miguel', email: 'student2@cohort.example', custom: { portfolio: 'LeadEd502x' } });
    const code = codeOf(res);
    // The frame comes back without the cookie the launch set (blocked as third-party).
    const cookieless = browser();
    const page = await cookieless.get(res.headers.location);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Open Cohort Companion');
    expect(page.text).toMatch(/<form method="post" action="\/lti\/open"[^>]* target="_blank">/);
    expect(frameAncestors(page)).toContain(edx.base);
    const window = browser();
    const opened = await window.post('/lti/open').type('form').send({ code });
    expect(opened.status).toBe(303);
    expect(opened.headers.location).toBe(`/portfolios/${portfolio502}`);
    expect((await window.get(opened.headers.location)).text).toContain('Miguel Santos');
    const again = await browser().post('/lti/open').type('form').send({ code });
    expect(again.status).toBe(410);
    expect(again.text).toContain('launch Cohort Companion again from edX'.replace('launch', 'Launch'));
  });

  test('no email claim: she confirms with her Cohort Companion sign-in once, then the sub alone signs her in', async () => {
    const frame = browser();
    const { res } = await handshake(frame, { sub: 'edx-olivia', custom: { unit: 'LeadEd502x-03' } });
    expect(res.status).toBe(200);
    expect(res.text).toContain('Link your edX account');
    expect(frameAncestors(res)).toContain(edx.base);
    const token = res.text.match(/name="token" value="([^"]+)"/)![1];
    const wrong = await frame.post('/lti/link').type('form').send({ token, email: 'student3@cohort.example', password: 'not-it' });
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('value="student3@cohort.example"');
    expect(await t.db.selectFrom('lti_user_link').select('sub').where('sub', '=', 'edx-olivia').execute()).toEqual([]);
    const right = await frame.post('/lti/link').type('form').send({ token, email: ' STUDENT3@cohort.example', password: DEMO_PASSWORD });
    expect(right.status).toBe(303);
    expect((await frame.get(right.headers.location)).headers.location).toBe(`/lessons/${lesson3}`);
    expect((await frame.post('/lti/link').type('form').send({ token, email: 'student3@cohort.example', password: DEMO_PASSWORD })).status).toBe(410);
    const later = browser();
    const { res: again } = await handshake(later, { sub: 'edx-olivia' });
    expect(again.status).toBe(303);
  });

  test('a learner not on the roster is told so and whom to ask; no account is made', async () => {
    const before = await t.db
      .selectFrom('app_user')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    const { res } = await handshake(browser(), { sub: 'edx-stranger', email: 'stranger@example.org' });
    expect(res.status).toBe(403);
    expect(res.text).toContain('stranger@example.org');
    expect(res.text).toContain('is not on the roster');
    expect(res.text).toContain('Donald J. Peurach');
    const after = await t.db
      .selectFrom('app_user')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    expect(after.n).toEqual(before.n);
  });

  test('course staff on edX are not signed in as anyone', async () => {
    const agent = browser();
    const { res } = await handshake(agent, { sub: 'edx-staff', email: 'instructor@cohort.example', roles: INSTRUCTOR_ROLES });
    expect(res.status).toBe(200);
    expect(res.text).toContain('course staff');
    expect((await agent.get('/instructor/gradebook')).status).toBe(303);
  });

  test('a unit that is not in the course lands on This week with a notice saying so', async () => {
    const agent = browser();
    const { res } = await handshake(agent, { sub: 'edx-ava', email: 'student1@cohort.example', custom: { unit: 'LeadEd999x-42' } });
    const next = await agent.get(res.headers.location);
    expect(next.headers.location).toBe('/');
    expect((await agent.get('/')).text).toContain('LeadEd999x-42');
  });
});

describe('every launch that breaks a rule is refused with a 4xx page saying what to check', () => {
  const refused = async (spec: LaunchSpec, expected: RegExp, tamper?: (form: { id_token: string; state: string }) => Promise<void> | void) => {
    const { res } = await handshake(browser(), spec, tamper);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.text).toMatch(expected);
    expect(res.text).toContain('What to check');
    return res;
  };

  test('signature, keys, audience, times, nonce, deployment, version and message type', async () => {
    await step('bad signature', () =>
      refused({ sub: 'edx-ava' }, /signature does not verify/, async (form) => {
        const forged = await edx.strangerKey();
        form.id_token = await edx.idToken(JSON.parse(Buffer.from(form.id_token.split('.')[1], 'base64url').toString()).nonce, launchUrl, {
          sub: 'edx-ava',
          signWith: forged,
        });
      }),
    );
    await step('unknown kid: the tool refetches the platform’s keys once, then refuses', async () => {
      const fetches = edx.jwksFetches;
      const forged = await edx.strangerKey();
      await refused({ sub: 'edx-ava', signWith: { key: forged.key, kid: 'kid-nobody-publishes' } }, /does not publish/);
      expect(edx.jwksFetches).toBe(fetches + 1);
    });
    await step('wrong audience', () => refused({ sub: 'edx-ava', override: { aud: 'someone-else' } }, /aud/));
    await step('wrong issuer', () => refused({ sub: 'edx-ava', override: { iss: 'https://evil.example' } }, /iss/));
    await step('expired', () => refused({ sub: 'edx-ava', iatOffset: -3600 }, /expired/));
    await step('nonce not the one sent', () => refused({ sub: 'edx-ava', override: { nonce: 'another-nonce' } }, /nonce/));
    await step('unknown deployment', () =>
      refused(
        { sub: 'edx-ava', override: { 'https://purl.imsglobal.org/spec/lti/claim/deployment_id': '99' } },
        /deployment \(99\) is not the one the login named/,
      ),
    );
    await step('a login naming an unknown deployment', async () => {
      const res = await browser()
        .get('/lti/login')
        .query({ ...edx.loginParams(launchUrl), lti_deployment_id: '99' });
      expect(res.status).toBe(400);
      expect(res.text).toContain('Deployment 99 is not registered');
    });
    await step('wrong version', () => refused({ sub: 'edx-ava', override: { 'https://purl.imsglobal.org/spec/lti/claim/version': '1.1' } }, /version/));
    await step('unknown message type', () =>
      refused({ sub: 'edx-ava', override: { 'https://purl.imsglobal.org/spec/lti/claim/message_type': 'LtiSubmissionReviewRequest' } }, /message_type/),
    );
    await step('missing state', () => refused({ sub: 'edx-ava' }, /without its state/, (form) => void (form.state = '')));
    await step('a state this tool never issued', () => refused({ sub: 'edx-ava' }, /not issued by this tool/, (form) => void (form.state = 'made-up')));
  });

  test('a replayed launch (the same form posted twice) is refused', async () => {
    const agent = browser();
    const { res, form } = await handshake(agent, { sub: 'edx-ava', email: 'student1@cohort.example' });
    expect(res.status).toBe(303);
    const replay = await browser().post('/lti/launch').type('form').send(form);
    expect(replay.status).toBe(400);
    expect(replay.text).toContain('already used');
  });

  test('a key the platform rotated to is fetched and accepted', async () => {
    await edx.rotateKey();
    const { res } = await handshake(browser(), { sub: 'edx-ava', email: 'student1@cohort.example' });
    expect(res.status).toBe(303);
  });

  test('logins the tool cannot take: an unregistered issuer, a target elsewhere, nothing at all', async () => {
    const other = await browser()
      .get('/lti/login')
      .query({ ...edx.loginParams(launchUrl), iss: 'https://canvas.example.edu', client_id: 'x' });
    expect(other.status).toBe(400);
    expect(other.text).toContain('npm run lti:register');
    const elsewhere = await browser().post('/lti/login').type('form').send(edx.loginParams('https://evil.example/lti/launch'));
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.text).toContain('is not this tool');
    expect((await browser().get('/lti/login')).status).toBe(400);
    expect((await browser().post('/lti/launch').type('form').send({})).status).toBe(400);
    expect((await browser().post('/lti/launch').type('form').send({ state: 'x', id_token: 'not-a-jwt' })).status).toBe(400);
  });
});

test('Deep Linking: a course team chooses a lesson in Studio and the tool returns a signed LtiDeepLinkingResponse', async () => {
  const agent = browser();
  const { res } = await handshake(agent, { sub: 'edx-staff', roles: INSTRUCTOR_ROLES, messageType: 'LtiDeepLinkingRequest', deepLinkData: 'opaque-123' });
  expect(res.status).toBe(200);
  expect(res.text).toContain('Lesson 3');
  const token = res.text.match(/name="token" value="([^"]+)"/)![1];
  const none = await agent.post('/lti/deep-link').type('form').send({ token });
  expect(none.status).toBe(422);
  expect(none.text).toContain('Choose a lesson or a portfolio');
  const chosen = await agent
    .post('/lti/deep-link')
    .type('form')
    .send({ token, choice: ['unit:LeadEd502x-03', 'portfolio:LeadEd502x'] });
  expect(chosen.status).toBe(200);
  const returnUrl = `${edx.base}/api/lti_consumer/v1/lti/1/lti-dl/response`;
  expect(chosen.text).toContain(`action="${returnUrl}"`);
  expect(chosen.text).not.toContain('name="_csrf"');
  expect(String(chosen.headers['content-security-policy'])).toContain(`form-action 'self' ${edx.base}`);
  const jwt = chosen.text.match(/name="JWT" value="([^"]+)"/)![1];
  const { payload } = await jwtVerify(jwt, createLocalJWKSet((await t.anonymous().get('/lti/jwks')).body as never), {
    issuer: edx.clientId,
    audience: edx.issuer,
    currentDate: t.clock.now(),
  });
  expect(payload['https://purl.imsglobal.org/spec/lti/claim/message_type']).toBe('LtiDeepLinkingResponse');
  expect(payload['https://purl.imsglobal.org/spec/lti-dl/claim/data']).toBe('opaque-123');
  expect(payload['https://purl.imsglobal.org/spec/lti/claim/deployment_id']).toBe(edx.deploymentId);
  expect(payload['https://purl.imsglobal.org/spec/lti-dl/claim/content_items']).toEqual([
    expect.objectContaining({ type: 'ltiResourceLink', url: launchUrl, custom: { unit: 'LeadEd502x-03' } }),
    expect.objectContaining({
      type: 'ltiResourceLink',
      url: launchUrl,
      custom: { portfolio: 'LeadEd502x' },
      lineItem: expect.objectContaining({ scoreMaximum: 1 }),
    }),
  ]);
  // The browser posts it back; the platform verifies it with the tool's published keys.
  const back = await fetch(returnUrl, { method: 'POST', body: new URLSearchParams({ JWT: jwt }) });
  expect(back.status).toBe(200);
  expect(edx.deepLinkResponses).toHaveLength(1);
  expect((await agent.post('/lti/deep-link').type('form').send({ token, choice: 'unit:LeadEd502x-03' })).status).toBe(410);
  const learner = await handshake(browser(), { sub: 'edx-ava', messageType: 'LtiDeepLinkingRequest' });
  expect(learner.res.status).toBe(403);
});

test('the whole story: a demo student launches from edX with a line item, and grading her S sends exactly one score of 1 there', async () => {
  const lineitem = edx.lineitemUrl(12);
  await step('Ethan launches from the LeadEd502x portfolio link, with the AGS claim', async () => {
    const agent = browser();
    const { res } = await handshake(agent, { sub: 'edx-ethan', email: 'student12@cohort.example', custom: { portfolio: 'LeadEd502x' }, lineitem });
    expect(res.status).toBe(303);
    expect((await agent.get(res.headers.location)).headers.location).toBe(`/portfolios/${portfolio502}`);
    const targets = await t.db
      .selectFrom('lti_grade_target')
      .select(['requirement_id', 'lineitem', 'can_post_scores'])
      .where('lineitem', '=', lineitem)
      .execute();
    expect(targets).toEqual([{ requirement_id: portfolio502, lineitem, can_post_scores: true }]);
  });
  let submissionId = 0;
  await step('he submits his portfolio; the instructor grades it S', async () => {
    const ethan = await t.login('student12@cohort.example');
    const submitted = await ethan.post(`/portfolios/${portfolio502}/submit`, { confirm: 'yes' });
    expect(submitted.status).toBe(303);
    submissionId = Number(submitted.headers.location.match(/submissions\/(\d+)/)![1]);
    const instructor = await t.login('instructor@cohort.example');
    const path = `/instructor/submissions/${submissionId}/grade`;
    const graded = await instructor.post(path, await withBase(instructor, path, path, { grade: 'S', feedback: 'Well done.' }));
    expect(graded.status).toBe(303);
  });
  await step('the worker sends one score of 1 to exactly that line item, and running it again sends nothing', async () => {
    await t.runWorker();
    await t.runWorker();
    const sent = edx.scores.filter((s) => s.body.userId === 'edx-ethan');
    expect(sent).toHaveLength(1);
    expect(sent[0].lineitem).toBe(lineitem);
    expect(sent[0].body).toMatchObject({ scoreGiven: 1, scoreMaximum: 1, activityProgress: 'Completed', gradingProgress: 'FullyGraded' });
    expect(edx.scores.filter((s) => s.lineitem === lineitem)).toHaveLength(1);
  });
});

describe('the real world at a launch', () => {
  test('two tabs launching at once for a new sub both sign in, and link once', async () => {
    const spec = { sub: 'edx-grace-two-tabs', email: 'student5@cohort.example' };
    const [a, b] = await Promise.all([handshake(browser(), spec), handshake(browser(), spec)]);
    expect([a.res.status, b.res.status]).toEqual([303, 303]);
    expect(await t.db.selectFrom('lti_user_link').select('user_id').where('sub', '=', spec.sub).execute()).toHaveLength(1);
  });

  test('an account already linked to another edX account on this platform is not linked again', async () => {
    await handshake(browser(), { sub: 'edx-chidi', email: 'student6@cohort.example' });
    const { res } = await handshake(browser(), { sub: 'edx-chidi-second-account', email: 'student6@cohort.example' });
    expect(res.status).toBe(409);
    expect(res.text).toContain('already linked to another account');
  });

  test('a learner dropped from the roster is told so at the next launch', async () => {
    await handshake(browser(), { sub: 'edx-ayesha', email: 'student7@cohort.example' });
    await t.db.updateTable('app_user').set({ deactivated_at: t.clock.now() }).where('email', '=', 'student7@cohort.example').execute();
    const { res } = await handshake(browser(), { sub: 'edx-ayesha' });
    expect(res.status).toBe(403);
    expect(res.text).toContain('is not on the roster');
  });

  test('a unit typed loosely (case, spaces, no zero) still lands on its lesson', async () => {
    const agent = browser();
    const { res } = await handshake(agent, { sub: 'edx-wei', email: 'student8@cohort.example', custom: { unit: '  leaded502x-3 ' } });
    expect((await agent.get(res.headers.location)).headers.location).toBe(`/lessons/${lesson3}`);
  });

  test('a launch posted more than 10 minutes after its login is refused', async () => {
    const agent = browser();
    const login = await agent.get('/lti/login').query(edx.loginParams(launchUrl));
    const { form } = await edx.authorize(login.headers.location, { sub: 'edx-ava', email: 'student1@cohort.example' });
    const at = t.clock.now();
    t.clock.set(new Date(at.getTime() + 11 * 60_000));
    try {
      const res = await agent.post('/lti/launch').type('form').send(form);
      expect(res.status).toBe(400);
      expect(res.text).toContain('more than 10 minutes');
    } finally {
      t.clock.set(at);
    }
  });

  test('a platform whose keys cannot be fetched gets a page saying so, not a 500', async () => {
    const dead = await LtiPlatform.start(
      () => t.clock.now(),
      async () => ({ keys: [] }),
    );
    const args = dead.registerArgs();
    args[args.indexOf('--jwks-url') + 1] = 'http://127.0.0.1:9/keys';
    await runRegister(t.db, args, t.ctx.config.baseUrl, t.clock.now());
    const agent = browser();
    const login = await agent.get('/lti/login').query(dead.loginParams(launchUrl));
    const { form } = await dead.authorize(login.headers.location, { sub: 'x', email: 'student1@cohort.example' });
    const res = await agent.post('/lti/launch').type('form').send(form);
    expect(res.status).toBe(502);
    expect(res.text).toContain('could not be fetched');
    expect(res.text).toContain('What to check');
    await dead.close();
  });
});

test('the worker forgets login states, hand-off codes and deep linking requests a day after they expired', async () => {
  const agent = browser();
  const login = await agent.get('/lti/login').query(edx.loginParams(launchUrl));
  expect(login.status).toBe(302);
  const count = async () =>
    Number(
      (
        await t.db
          .selectFrom('lti_login_state')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const before = await count();
  expect(before).toBeGreaterThan(0);
  const at = t.clock.now();
  t.clock.set(new Date(at.getTime() + 25 * 3600_000));
  try {
    await t.runWorker();
    expect(await count()).toBe(0);
  } finally {
    t.clock.set(at);
  }
});
