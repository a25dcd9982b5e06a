import { startTestApp, type TestApp } from './helpers/test-app';
import { step } from './helpers/story';

/**
 * Joining the community (issue 17): the instructor makes a join link on the roster page; a person
 * opens /join/CODE, gives name, email, zone and country, confirms the address through a one-time
 * link, chooses a password and lands on "This week" as a community learner. Limits: uses, end
 * date, turning a link off, abuse limits on the form; the instructor sees who joined when and can
 * remove (softly) and restore a learner.
 */
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ now: '2020-02-10T15:00:00Z' });
}, 60_000);
afterAll(() => t.close());

const confirmLinkFor = (address: string) => {
  const m = t.smtp.messages.filter((x) => x.to.includes(address) && x.subject.includes('Confirm your email')).at(-1);
  return m ? /http:\/\/cohort\.test(\/join\/confirm\/[A-Za-z0-9_-]+)/.exec(m.text)?.[1] : undefined;
};
const joinForm = (over: Record<string, string> = {}) => ({
  name: '  Maria  Santos ',
  email: ' Maria.Santos@Example.ORG ',
  timeZone: 'Asia/Manila',
  country: 'PH',
  ...over,
});

test('a person joins through a join link, confirms the email and lands on This week as a community learner', async () => {
  const instructor = await t.login('instructor@cohort.example');
  let code = '';
  let linkId = 0;

  await step('bad limits are refused on the roster page, the input kept, nothing made', async () => {
    const res = await instructor.post('/instructor/roster/join-links', { label: 'edX forum', maxUses: '0', expiresOn: '2020-02-01' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Allow at least 1 person');
    expect(res.text).toContain('value="edX forum"');
    const past = await instructor.post('/instructor/roster/join-links', { label: 'edX forum', maxUses: '2', expiresOn: '2020-02-01' });
    expect(past.status).toBe(422);
    expect(past.text).toContain('Choose a last day that is today or later.');
    expect(await t.db.selectFrom('join_link').select('id').execute()).toHaveLength(0);
  });

  await step('the instructor makes a link for two people; the roster lists it', async () => {
    const res = await instructor.post('/instructor/roster/join-links', { label: 'edX forum', maxUses: '2', expiresOn: '2020-04-30' });
    expect(res.status).toBe(303);
    const link = await t.db.selectFrom('join_link').selectAll().executeTakeFirstOrThrow();
    expect(link).toMatchObject({ label: 'edX forum', max_uses: 2, uses: 0, revoked_at: null });
    // The end of April 30 in the instructor's zone (Detroit, EDT): closed from midnight on.
    expect(link.expires_at!.toISOString()).toBe('2020-05-01T04:00:00.000Z');
    code = link.code;
    linkId = link.id;
    const roster = await instructor.get('/instructor/roster');
    expect(roster.text).toContain(`http://cohort.test/join/${code}`);
    expect(roster.text).toMatch(/0 of 2/);
  });

  await step('the join page explains the community; bad input is refused with messages and kept', async () => {
    const visitor = t.anonymous();
    const page = await visitor.get(`/join/${code}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Join EDUC 551/639');
    expect(page.text).toContain('Philippines');
    const bad = await visitor.post(`/join/${code}`, joinForm({ name: ' ', email: 'maria@', timeZone: 'Mars/Base', country: 'XX' }));
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('Enter your name.');
    expect(bad.text).toContain('Enter a valid email address');
    expect(bad.text).toContain('Choose your time zone from the list.');
    expect(bad.text).toContain('Choose your country from the list.');
    expect(bad.text).toContain('value="maria@"');
    expect(await t.db.selectFrom('join_request').select('id').execute()).toHaveLength(0);
  });

  await step('a good request creates no account yet, only a waiting request and a confirmation email', async () => {
    const res = await t.anonymous().post(`/join/${code}`, joinForm());
    expect(res.status).toBe(200);
    expect(res.text).toContain('Check your email');
    const req = await t.db.selectFrom('join_request').selectAll().executeTakeFirstOrThrow();
    expect(req).toMatchObject({ email: 'maria.santos@example.org', name: 'Maria Santos', time_zone: 'Asia/Manila', country: 'PH', confirmed_at: null });
    expect(await t.db.selectFrom('app_user').select('id').where('email', '=', 'maria.santos@example.org').execute()).toHaveLength(0);
    await t.runWorker();
    expect(confirmLinkFor('maria.santos@example.org')).toBeDefined();
  });

  await step('confirming: mismatched passwords are refused; then the account is made and signed in', async () => {
    const path = confirmLinkFor('maria.santos@example.org')!;
    const maria = t.anonymous();
    const page = await maria.get(path);
    expect(page.status).toBe(200);
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.text).toContain('maria.santos@example.org');
    const mismatch = await maria.post(path, { password: 'a long password', confirm: 'another one!' });
    expect(mismatch.status).toBe(422);
    expect(mismatch.text).toContain('The two passwords do not match.');
    const ok = await maria.post(path, { password: 'a long password', confirm: 'a long password' });
    expect(ok.status).toBe(303);
    expect(ok.headers.location).toBe('/');
    const user = await t.db.selectFrom('app_user').selectAll().where('email', '=', 'maria.santos@example.org').executeTakeFirstOrThrow();
    expect(user).toMatchObject({ role: 'community', section_id: null, country: 'PH', time_zone: 'Asia/Manila', name: 'Maria Santos', weekly_nudge: true });
    expect(user.activated_at).not.toBeNull();
    expect((await t.db.selectFrom('join_link').select('uses').where('id', '=', linkId).executeTakeFirstOrThrow()).uses).toBe(1);
    const home = await maria.get('/');
    expect(home.status).toBe(200);
    expect(home.text).toContain('Welcome, Maria Santos!');
    expect(home.text).toContain('<h1>This week</h1>');
    expect(home.text).toContain('Virtual office hours');
    expect(home.text).not.toContain('Campus meeting');
    expect(home.text).not.toContain('Due next');
    // The confirmation link works once.
    expect((await t.anonymous().get(path)).status).toBe(410);
    expect((await t.anonymous().post(path, { password: 'a long password', confirm: 'a long password' })).status).toBe(410);
    // And the password signs in.
    expect((await t.login('maria.santos@example.org', 'a long password').then((s) => s.get('/'))).status).toBe(200);
  });

  await step('joining again with a known address answers the same page and emails "you already have an account"', async () => {
    const before = await t.db.selectFrom('join_request').select('id').execute();
    const res = await t.anonymous().post(`/join/${code}`, joinForm({ email: 'MARIA.SANTOS@example.org' }));
    expect(res.status).toBe(200);
    expect(res.text).toContain('Check your email');
    expect(await t.db.selectFrom('join_request').select('id').execute()).toHaveLength(before.length);
    await t.runWorker();
    expect(t.smtp.messages.some((m) => m.to.includes('maria.santos@example.org') && m.subject.includes('already have'))).toBe(true);
    // A campus student's address is treated the same: no second account, nothing said on the page.
    const campus = await t.anonymous().post(`/join/${code}`, joinForm({ email: 'student1@cohort.example' }));
    expect(campus.status).toBe(200);
    expect(await t.db.selectFrom('app_user').select('role').where('email', '=', 'student1@cohort.example').executeTakeFirstOrThrow()).toEqual({
      role: 'student',
    });
  });

  await step('the link takes its second person, then says it is full', async () => {
    await t.anonymous().post(`/join/${code}`, joinForm({ name: 'Kwame Mensah', email: 'kwame@example.org', timeZone: 'Africa/Accra', country: 'GH' }));
    // A third asks while a place is still free; the second confirms first and takes it.
    await t.anonymous().post(`/join/${code}`, joinForm({ name: 'Lena Vogel', email: 'lena@example.org', timeZone: 'Europe/Berlin', country: 'DE' }));
    await t.runWorker();
    const kwame = confirmLinkFor('kwame@example.org')!;
    expect((await t.anonymous().post(kwame, { password: 'kwame password', confirm: 'kwame password' })).status).toBe(303);
    const lena = confirmLinkFor('lena@example.org')!;
    const refused = await t.anonymous().post(lena, { password: 'lena password', confirm: 'lena password' });
    expect(refused.status).toBe(410);
    expect(refused.text).toContain('used as many times as the instructor allowed');
    expect(await t.db.selectFrom('app_user').select('id').where('email', '=', 'lena@example.org').execute()).toHaveLength(0);
    const full = await t.anonymous().get(`/join/${code}`);
    expect(full.status).toBe(410);
    expect((await t.db.selectFrom('join_link').select('uses').where('id', '=', linkId).executeTakeFirstOrThrow()).uses).toBe(2);
  });

  await step('a link turned off refuses the join page and a waiting confirmation; an unknown code is a 404', async () => {
    await instructor.post('/instructor/roster/join-links', { label: 'Newsletter' });
    const link = await t.db.selectFrom('join_link').selectAll().where('label', '=', 'Newsletter').executeTakeFirstOrThrow();
    expect(link).toMatchObject({ max_uses: null, expires_at: null });
    await t.anonymous().post(`/join/${link.code}`, joinForm({ name: 'Ana Lima', email: 'ana@example.org', timeZone: 'America/Sao_Paulo', country: 'BR' }));
    await t.runWorker();
    expect((await instructor.post(`/instructor/roster/join-links/${link.id}/revoke`)).status).toBe(303);
    expect((await t.anonymous().get(`/join/${link.code}`)).status).toBe(410);
    const ana = await t.anonymous().post(confirmLinkFor('ana@example.org')!, { password: 'ana password', confirm: 'ana password' });
    expect(ana.status).toBe(410);
    expect(ana.text).toContain('turned off');
    expect((await t.anonymous().get('/join/NoSuchCode123')).status).toBe(404);
    expect((await t.anonymous().get('/join/%E2%80%AE')).status).toBe(404);
  });

  await step('abuse limits: a fourth request for one address in an hour is refused (429) and sends nothing', async () => {
    await instructor.post('/instructor/roster/join-links', { label: 'Open' });
    const link = await t.db.selectFrom('join_link').selectAll().where('label', '=', 'Open').executeTakeFirstOrThrow();
    const form = joinForm({ name: 'Spam Target', email: 'target@example.org' });
    for (let i = 0; i < 3; i++)
      expect((await t.anonymous().post(`/join/${link.code}`, { ...form, email: i % 2 ? ' TARGET@example.org' : 'target@example.org' })).status).toBe(200);
    const blocked = await t.anonymous().post(`/join/${link.code}`, form);
    expect(blocked.status).toBe(429);
    expect(blocked.text).toContain('Too many requests');
    expect(blocked.text).toContain('value="Spam Target"');
    expect(await t.db.selectFrom('join_request').select('id').where('email', '=', 'target@example.org').execute()).toHaveLength(3);
  });

  await step('two confirmations for one address at once (two requests, two tabs) make exactly one account, never a 500', async () => {
    await instructor.post('/instructor/roster/join-links', { label: 'Race' });
    const link = await t.db.selectFrom('join_link').selectAll().where('label', '=', 'Race').executeTakeFirstOrThrow();
    const form = joinForm({ name: 'Twin Tabs', email: 'twin@example.org', timeZone: 'Asia/Tokyo', country: 'JP' });
    await t.anonymous().post(`/join/${link.code}`, form);
    await t.anonymous().post(`/join/${link.code}`, form);
    await t.runWorker();
    const links = t.smtp.messages
      .filter((m) => m.to.includes('twin@example.org'))
      .map((m) => /http:\/\/cohort\.test(\/join\/confirm\/[A-Za-z0-9_-]+)/.exec(m.text)![1]);
    expect(new Set(links).size).toBe(2);
    const answers = await Promise.all(links.map((path) => t.anonymous().post(path, { password: 'twin password', confirm: 'twin password' })));
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses[0]).toBe(303);
    expect([409, 410]).toContain(statuses[1]);
    expect(await t.db.selectFrom('app_user').select('id').where('email', '=', 'twin@example.org').execute()).toHaveLength(1);
    expect((await t.db.selectFrom('join_link').select('uses').where('id', '=', link.id).executeTakeFirstOrThrow()).uses).toBe(1);
  });

  await step('the instructor sees who joined when, removes one softly and restores them', async () => {
    const page = await instructor.get('/instructor/community');
    expect(page.status).toBe(200);
    expect(page.text).toContain('3 community learners');
    expect(page.text).toContain('Maria Santos');
    expect(page.text).toContain('Philippines');
    expect(page.text).toContain('Ghana');
    expect(page.text).toContain('edX forum');
    const maria = await t.login('maria.santos@example.org', 'a long password');
    const mariaId = (await t.db.selectFrom('app_user').select('id').where('email', '=', 'maria.santos@example.org').executeTakeFirstOrThrow()).id;
    const unit = (await t.db.selectFrom('unit').select('id').where('kind', '=', 'lesson').orderBy('id').executeTakeFirstOrThrow()).id;
    expect((await maria.post(`/lessons/${unit}/teams`, { team_name: 'Manila Makers' })).status).toBe(303);
    expect((await instructor.post(`/instructor/community/${mariaId}/remove`)).status).toBe(303);
    // Like a drop: she leaves her team (its versions stay), and is signed out.
    const membership = await t.db.selectFrom('team_membership').select('left_at').where('user_id', '=', mariaId).executeTakeFirstOrThrow();
    expect(membership.left_at).not.toBeNull();
    expect((await t.db.selectFrom('app_user').select('deactivated_at').where('id', '=', mariaId).executeTakeFirstOrThrow()).deactivated_at).not.toBeNull();
    const after = await maria.get('/');
    expect(after.status).toBe(303);
    expect(after.headers.location).toMatch(/^\/login/);
    const again = await instructor.post(`/instructor/community/${mariaId}/remove`);
    expect(again.status).toBe(409);
    // A campus student is not a community learner: the community page cannot remove them.
    const student1 = (await t.db.selectFrom('app_user').select('id').where('email', '=', 'student1@cohort.example').executeTakeFirstOrThrow()).id;
    expect((await instructor.post(`/instructor/community/${student1}/remove`)).status).toBe(404);
    expect((await instructor.post(`/instructor/community/${mariaId}/restore`)).status).toBe(303);
    expect((await t.login('maria.santos@example.org', 'a long password').then((s) => s.get('/'))).status).toBe(200);
  });
});
