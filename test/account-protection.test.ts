import { loadConfig, ConfigError } from '../src/config';
import { lessonUnitId } from './helpers/course';
import { DEMO_PASSWORD } from './helpers/db';
import { samplePdf, samplePng } from './helpers/sample-files';
import { startTestApp, type TestApp } from './helpers/test-app';
import { guideFields } from './helpers/versions';
import { step } from './helpers/story';

/**
 * Issue 14 (security): throttles keyed on the normalized identity and shared through the database,
 * every other session ended when the keys change, control characters refused in one place,
 * private responses never cached, a per-person file quota with identical bytes stored once.
 */
// Logins hash passwords (deliberately slow): generous time on a busy 2-core machine.
jest.setTimeout(180_000);

const QUOTA = 6 * 1024;
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ env: { UPLOAD_MAX_BYTES: String(4096), UPLOAD_QUOTA_BYTES: String(QUOTA) } });
}, 120_000);
afterAll(() => t.close());

const count = async (table: 'attachment' | 'password_reset_request' | 'throttle_hit') =>
  Number(
    (
      await t.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

async function clearThrottles() {
  await t.db.deleteFrom('throttle_hit').execute();
}

test('account protection in order: throttles, lockouts, resets and sessions', async () => {
  await step('login failures count against the normalized address: a leading space or capitals are the same account', async () => {
    await clearThrottles();
    const spellings = [' student12@cohort.example', 'STUDENT12@cohort.example', 'student12@cohort.example ', '\tStudent12@Cohort.Example'];
    for (let i = 0; i < 10; i++) {
      const res = await t.anonymous().post('/login', { email: spellings[i % spellings.length], password: `wrong-${i}` });
      expect(res.status).toBe(401);
    }
    // the right password is refused now, whatever the spelling: the counter is the account's
    for (const email of [' student12@cohort.example', 'student12@cohort.example']) {
      const res = await t.anonymous().post('/login', { email, password: DEMO_PASSWORD });
      expect(res.status).toBe(429);
      expect(res.text).toContain('Too many failed attempts');
      expect(res.text).toContain(`value="${email}"`);
    }
    // another account from the same client is not locked by it
    expect((await t.anonymous().post('/login', { email: 'student11@cohort.example', password: DEMO_PASSWORD })).status).toBe(303);
    // the counts are in the database (every app instance sees them), keyed on the normalized address
    const keys = (await t.db.selectFrom('throttle_hit').select('key').execute()).map((r) => r.key);
    expect(keys).toContain('login-account:student12@cohort.example');
  });

  await step('spraying one password across many addresses from one client is stopped by the per-client limit', async () => {
    await clearThrottles();
    for (let i = 0; i < 50; i++) {
      const res = await t.anonymous().post('/login', { email: `someone${i}@cohort.example`, password: 'Winter2020!' });
      expect(res.status).toBe(401);
    }
    const next = await t.anonymous().post('/login', { email: 'student3@cohort.example', password: DEMO_PASSWORD });
    expect(next.status).toBe(429);
    await clearThrottles();
    expect((await t.anonymous().post('/login', { email: 'student3@cohort.example', password: DEMO_PASSWORD })).status).toBe(303);
  });

  await step('password resets are limited per address (however typed) and per client; the answer is the same for unknown addresses', async () => {
    await clearThrottles();
    await t.db.deleteFrom('password_reset_request').execute();
    const known = [' student5@cohort.example', 'Student5@cohort.example', 'student5@cohort.example'];
    for (const email of known) expect((await t.anonymous().post('/forgot-password', { email })).status).toBe(200);
    const fourth = await t.anonymous().post('/forgot-password', { email: 'STUDENT5@cohort.example' });
    expect(fourth.status).toBe(429);
    expect(fourth.text).toContain('Too many reset requests');
    expect(await count('password_reset_request')).toBe(3);
    // an unknown address is written down the same way (one insert), and answered with the same page
    const unknown = await t.anonymous().post('/forgot-password', { email: 'nobody-here@cohort.example' });
    expect(unknown.status).toBe(200);
    expect(await count('password_reset_request')).toBe(4);
    // the worker answers: one email for the known address (three requests), none for the unknown
    t.smtp.clear();
    await t.runWorker();
    expect(await count('password_reset_request')).toBe(0);
    const resets = t.smtp.messages.filter((m) => /Reset your Cohort Companion password/.test(m.subject));
    expect(resets.map((m) => m.to)).toEqual([['student5@cohort.example']]);
    // per client: 20 an hour, across addresses
    await clearThrottles();
    for (let i = 0; i < 20; i++) expect((await t.anonymous().post('/forgot-password', { email: `x${i}@cohort.example` })).status).toBe(200);
    expect((await t.anonymous().post('/forgot-password', { email: 'student6@cohort.example' })).status).toBe(429);
    await clearThrottles();
  });

  await step('setting a password through a reset link ends every other session of that account', async () => {
    await clearThrottles();
    const laptop = await t.login('student7@cohort.example');
    const phone = await t.login('student7@cohort.example');
    const bystander = await t.login('student8@cohort.example');
    expect((await laptop.get('/')).status).toBe(200);
    await t.anonymous().post('/forgot-password', { email: 'student7@cohort.example' });
    t.smtp.clear();
    await t.runWorker();
    const mail = t.smtp.messages.find((m) => m.to[0] === 'student7@cohort.example')!;
    const link = mail.text.match(/http:\/\/cohort\.test(\/set-password\/[\w-]+)/)![1];
    const browser = t.anonymous();
    await browser.get(link).expect(200);
    const done = await browser.post(link, { password: 'a-brand-new-password', confirm: 'a-brand-new-password' });
    expect(done.status).toBe(303);
    // the browser that set it is signed in; the old sessions are not
    browser.forgetCsrf();
    expect((await browser.get('/')).status).toBe(200);
    expect((await laptop.get('/')).status).toBe(303);
    expect((await phone.get('/')).status).toBe(303);
    expect((await bystander.get('/')).status).toBe(200);
  });

  await step('confirming an email change ends every session of that account, the confirming browser too', async () => {
    await clearThrottles();
    const instructor = await t.login('instructor@cohort.example');
    const student = await t.db.selectFrom('app_user').selectAll().where('email', '=', 'student9@cohort.example').executeTakeFirstOrThrow();
    const signedIn = await t.login('student9@cohort.example');
    t.smtp.clear();
    const res = await instructor.post(`/instructor/roster/students/${student.id}`, {
      name: student.name,
      email: 'nine.new@umich.edu',
      section: String(student.section_id),
      timeZone: student.time_zone,
    });
    expect(res.status).toBe(303);
    await t.runWorker();
    const link = t.smtp.messages.find((m) => m.to[0] === 'nine.new@umich.edu')!.text.match(/http:\/\/cohort\.test(\/confirm-email\/[\w-]+)/)![1];
    const other = await t.login('student9@cohort.example');
    expect((await signedIn.post(link)).status).toBe(303);
    expect((await signedIn.get('/')).status).toBe(303);
    expect((await other.get('/')).status).toBe(303);
    expect((await t.anonymous().post('/login', { email: 'nine.new@umich.edu', password: DEMO_PASSWORD })).status).toBe(303);
  });

  await step('a NUL or other control character in any form or query gives a 422 with the form kept, never a 500', async () => {
    await clearThrottles();
    const login = await t.anonymous().post('/login', { email: 'student1@cohort.example\u0000', password: 'x' });
    expect(login.status).toBe(422);
    expect(login.text).toContain('control character');
    expect(login.text).toContain('value="student1@cohort.example\uFFFD"');
    const forgot = await t.anonymous().post('/forgot-password', { email: '\u0000@x.org' });
    expect(forgot.status).toBe(422);

    const s = await t.login('student1@cohort.example');
    expect((await s.get('/calendar?view=%00')).status).toBe(422);
    expect((await s.get('/lessons/1%00')).status).toBe(422);
    const u = await lessonUnitId(t.db, 'LeadEd502x', 3);
    const before = await t.db
      .selectFrom('study_guide_version')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const save = await s.upload(`/lessons/${u}/study-guide`, await guideFields(s, u, { guide_body: 'My notes\u0000 on hubs\u0007' }));
    expect(save.status).toBe(422);
    expect(save.text).toContain('control character');
    expect(save.text).toContain('My notes\uFFFD on hubs\uFFFD');
    const after = await t.db
      .selectFrom('study_guide_version')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
    // tabs and line breaks are text
    const ok = await s.upload(`/lessons/${u}/study-guide`, await guideFields(s, u, { guide_body: 'Line one\r\n\tindented line two' }));
    expect(ok.status).toBe(303);
  });

  await step('everything served behind a session, and the token pages, say Cache-Control: no-store', async () => {
    const s = await t.login('student2@cohort.example');
    for (const path of ['/', '/lessons', '/portfolios', '/calendar', '/settings']) {
      const res = await s.get(path);
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
    }
    const instructor = await t.login('instructor@cohort.example');
    for (const path of ['/instructor/gradebook', '/instructor/gradebook.csv', '/instructor/roster']) {
      const res = await instructor.get(path);
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toMatch(/no-store/);
    }
    expect((await t.anonymous().get('/set-password/not-a-real-token')).headers['cache-control']).toBe('no-store');
    // static assets may be cached
    expect((await t.anonymous().get('/static/app.css')).headers['cache-control']).not.toMatch(/no-store/);
  });

  await step('uploads: identical bytes saved again on a document are stored once; past the per-person quota a clear message and nothing saved', async () => {
    const s = await t.login('student4@cohort.example');
    const u1 = await lessonUnitId(t.db, 'LeadEd502x', 1);
    const u2 = await lessonUnitId(t.db, 'LeadEd502x', 2);
    const pdf = samplePdf();
    const before = await count('attachment');
    for (const [u, text] of [
      [u1, 'first'],
      [u1, 'second'],
      [u2, 'third'],
    ] as const) {
      const res = await s.upload(`/lessons/${u}/study-guide`, await guideFields(s, u, { guide_body: text }), [
        { field: 'guide_file', buffer: pdf, filename: 'notes.pdf', contentType: 'application/pdf' },
      ]);
      expect(res.status).toBe(303);
    }
    // saved twice on lesson 1's guide: stored once; the same bytes on another document are its own record
    expect(await count('attachment')).toBe(before + 2);
    // fill the quota with different files, then one more is refused with the form kept
    let refused = null;
    for (let i = 1; i <= 4 && !refused; i++) {
      const res = await s.upload(`/lessons/${u2}/study-guide`, await guideFields(s, u2, { guide_body: `png ${i}` }), [
        { field: 'guide_file', buffer: samplePng(1500 + i), filename: `p${i}.png`, contentType: 'image/png' },
      ]);
      if (res.status !== 303) refused = res;
    }
    expect(refused).not.toBeNull();
    expect(refused!.status).toBe(413);
    expect(refused!.text).toContain('of your 0.0 MB for files'.replace('0.0', (QUOTA / 1024 / 1024).toFixed(1)));
    expect(refused!.text).toMatch(/png \d/);
    const owner = await t.db.selectFrom('app_user').select('id').where('email', '=', 'student4@cohort.example').executeTakeFirstOrThrow();
    const used = await t.db
      .selectFrom('attachment')
      .select((eb) => eb.fn.sum<number>('byte_size').as('n'))
      .where('owner_user_id', '=', owner.id)
      .executeTakeFirstOrThrow();
    expect(Number(used.n)).toBeLessThanOrEqual(QUOTA);
    // the same bytes as a stored file still attach (they cost nothing)
    const again = await s.upload(`/lessons/${u2}/study-guide`, await guideFields(s, u2, { guide_body: 'pdf again' }), [
      { field: 'guide_file', buffer: pdf, filename: 'notes.pdf', contentType: 'application/pdf' },
    ]);
    expect(again.status).toBe(303);
  });

  await step('production refuses to start without SMTP_URL unless the log-links opt-out is explicit', () => {
    const secret = 'f3a9c1d7e5b2a8c4d6e0f1a3b5c7d9e2f4a6b8c0';
    expect(() => loadConfig({ NODE_ENV: 'production', SESSION_SECRET: secret } as NodeJS.ProcessEnv)).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: 'production', SESSION_SECRET: secret } as NodeJS.ProcessEnv)).toThrow(/SMTP_URL is required in production/);
    expect(loadConfig({ NODE_ENV: 'production', SESSION_SECRET: secret, SMTP_URL: 'smtp://mail:1025' } as NodeJS.ProcessEnv).SMTP_URL).toBe('smtp://mail:1025');
    expect(loadConfig({ NODE_ENV: 'production', SESSION_SECRET: secret, MAIL_WITHOUT_SMTP: 'log-links' } as NodeJS.ProcessEnv).MAIL_WITHOUT_SMTP).toBe(
      'log-links',
    );
    expect(() => loadConfig({ NODE_ENV: 'production', SESSION_SECRET: secret, MAIL_WITHOUT_SMTP: 'yes' } as NodeJS.ProcessEnv)).toThrow(ConfigError);
  });
}, 600_000); // one step throttles 50 sign-ins (it had 300 s alone)
