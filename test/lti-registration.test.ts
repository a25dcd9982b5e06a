import { createLocalJWKSet, jwtVerify, SignJWT, importJWK } from 'jose';
import { runKeys } from '../src/lti/keys-command';
import { runRegister } from '../src/lti/register-command';
import { currentToolKey } from '../src/lti/tool-keys';
import { startTestApp, type TestApp } from './helpers/test-app';
import { step } from './helpers/story';

/**
 * The LTI 1.3 tool's first pieces (issue 18, in progress): the tool's own RS256 key pair, made
 * once and kept in the database, published as a JWK Set at /lti/jwks; platforms registered with
 * `npm run lti:register` (idempotent; several at once) and listed with the tool's URLs on
 * /instructor/lti.
 */
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ now: '2020-01-20T15:00:00Z' });
}, 60_000);
afterAll(() => t.close());

const edx = [
  '--issuer',
  'https://courses.edx.org',
  '--client-id',
  'edx-client-1',
  '--deployment-id',
  '1',
  '--auth-url',
  'https://courses.edx.org/api/lti_consumer/v1/launch/',
  '--token-url',
  'https://courses.edx.org/api/lti_consumer/v1/token/block-v1:MichiganX+LeadEd502x',
  '--jwks-url',
  'https://courses.edx.org/api/lti_consumer/v1/public_keysets/block-v1:MichiganX+LeadEd502x',
  '--offering',
  'educ-551-639-winter-2020',
];

test('the tool’s keys, and platforms registered from the command line', async () => {
  await step('/lti/jwks publishes one RS256 public key, the same on every call, with no private part', async () => {
    const first = await t.anonymous().get('/lti/jwks');
    expect(first.status).toBe(200);
    expect(first.headers['content-type']).toMatch(/application\/json/);
    const { keys } = first.body as { keys: Record<string, string>[] };
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', e: 'AQAB' });
    for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(keys[0]).not.toHaveProperty(secret);
    const again = await t.anonymous().get('/lti/jwks');
    expect((again.body as { keys: { kid: string }[] }).keys.map((k) => k.kid)).toEqual([keys[0].kid]);
    expect(await t.db.selectFrom('lti_tool_key').select('kid').execute()).toHaveLength(1);
  });

  await step('what the tool signs with its stored private key verifies against the published set', async () => {
    const key = await currentToolKey(t.db, t.clock.now());
    const jwt = await new SignJWT({ sub: 'edx-client-1' })
      .setProtectedHeader({ alg: 'RS256', kid: key.kid })
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(await importJWK(key.privateJwk, 'RS256'));
    const published = (await t.anonymous().get('/lti/jwks')).body as { keys: never[] };
    const { payload } = await jwtVerify(jwt, createLocalJWKSet(published));
    expect(payload.sub).toBe('edx-client-1');
  });

  await step('registering prints the three URLs; again changes nothing; a second deployment and a second platform are added', async () => {
    const out = await runRegister(t.db, edx, 'http://cohort.test', t.clock.now());
    expect(out).toContain('Registered platform https://courses.edx.org (client id edx-client-1); deployment 1 added.');
    expect(out).toContain('Login URL:  http://cohort.test/lti/login');
    expect(out).toContain('Launch URL: http://cohort.test/lti/launch');
    expect(out).toContain('Keyset URL: http://cohort.test/lti/jwks');
    expect(await runRegister(t.db, edx, 'http://cohort.test', t.clock.now())).toContain(
      'Updated platform https://courses.edx.org (client id edx-client-1); deployment 1 already known.',
    );
    const second = edx.map((v) => (v === '1' ? '2' : v));
    expect(await runRegister(t.db, second, 'http://cohort.test', t.clock.now())).toContain('deployment 2 added');
    const canvas = edx.map((v) => v.replace('https://courses.edx.org', 'https://canvas.umich.edu').replace('edx-client-1', '20000000000099'));
    expect(await runRegister(t.db, canvas, 'http://cohort.test', t.clock.now())).toContain('Registered platform https://canvas.umich.edu');
    expect(await t.db.selectFrom('lti_platform').select(['issuer', 'client_id']).orderBy('issuer').execute()).toEqual([
      { issuer: 'https://canvas.umich.edu', client_id: '20000000000099' },
      { issuer: 'https://courses.edx.org', client_id: 'edx-client-1' },
    ]);
    expect(await t.db.selectFrom('lti_deployment').select('deployment_id').orderBy('deployment_id').execute()).toHaveLength(3);
  });

  await step('bad arguments are refused with what to fix, and nothing is written', async () => {
    const before = await t.db.selectFrom('lti_platform').select('id').execute();
    const cases: [string[], string][] = [
      [edx.map((v) => (v === 'https://courses.edx.org' ? 'http://courses.edx.org' : v)), '--issuer: The issuer must be an https:// URL'],
      [edx.filter((v, i) => i !== 2 && i !== 3), '--client-id: Give the client id.'],
      [[...edx, '--color', 'red'], 'Unknown argument --color'],
      [edx.map((v) => (v === 'educ-551-639-winter-2020' ? 'no-such-offering' : v)), 'There is no offering "no-such-offering".'],
    ];
    for (const [argv, message] of cases) await expect(runRegister(t.db, argv, 'http://cohort.test', t.clock.now())).rejects.toThrow(message);
    expect(await t.db.selectFrom('lti_platform').select('id').execute()).toHaveLength(before.length);
  });

  await step('the instructor’s page shows the URLs and the platforms; students may not see it', async () => {
    const page = await (await t.login('instructor@cohort.example')).get('/instructor/lti');
    expect(page.status).toBe(200);
    expect(page.text).toContain('http://cohort.test/lti/launch');
    expect(page.text).toContain('https://courses.edx.org');
    expect(page.text).toContain('1, 2');
    expect((await (await t.login('student1@cohort.example')).get('/instructor/lti')).status).toBe(403);
  });

  await step('the page registers a platform too: bad input shown with what was typed, nothing written; then registered', async () => {
    const instructor = await t.login('instructor@cohort.example');
    const before = await t.db.selectFrom('lti_platform').select('id').execute();
    const canvas = {
      issuer: ' https://canvas.instructure.com ',
      clientId: '20000000000099',
      deploymentId: '7:abc',
      authUrl: 'https://sso.canvaslms.com/api/lti/authorize_redirect',
      tokenUrl: 'https://sso.canvaslms.com/login/oauth2/token',
      jwksUrl: 'not a url',
    };
    const bad = await instructor.post('/instructor/lti/platforms', canvas);
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('The JWKS URL must be an https:// URL');
    expect(bad.text).toContain('value="20000000000099"');
    expect(await t.db.selectFrom('lti_platform').select('id').execute()).toHaveLength(before.length);
    const good = await instructor.post('/instructor/lti/platforms', { ...canvas, jwksUrl: 'https://sso.canvaslms.com/api/lti/security/jwks' });
    expect(good.status).toBe(303);
    const page = await instructor.get('/instructor/lti');
    expect(page.text).toContain('Registered https://canvas.instructure.com (client id 20000000000099); deployment 7:abc added.');
    const row = await t.db
      .selectFrom('lti_platform')
      .select(['issuer', 'offering_id'])
      .where('client_id', '=', '20000000000099')
      .where('issuer', '=', 'https://canvas.instructure.com')
      .executeTakeFirstOrThrow();
    expect(row.issuer).toBe('https://canvas.instructure.com');
  });

  await step('keys rotate: the new key signs, the old one stays published until retired; the signing key cannot be retired', async () => {
    const old = (await currentToolKey(t.db, t.clock.now())).kid;
    t.clock.set('2020-01-21T15:00:00Z');
    expect(await runKeys(t.db, ['rotate'], t.clock.now())).toMatch(/^Added key /);
    const signing = (await currentToolKey(t.db, t.clock.now())).kid;
    expect(signing).not.toBe(old);
    const kids = async () => ((await t.anonymous().get('/lti/jwks')).body as { keys: { kid: string }[] }).keys.map((k) => k.kid);
    expect(await kids()).toEqual([signing, old]);
    await expect(runKeys(t.db, ['retire', signing], t.clock.now())).rejects.toThrow('is the one the tool signs with');
    await expect(runKeys(t.db, ['retire', 'no-such-kid'], t.clock.now())).rejects.toThrow('There is no tool key');
    await expect(runKeys(t.db, ['spin'], t.clock.now())).rejects.toThrow('Usage: npm run lti:keys');
    expect(await runKeys(t.db, ['retire', old], t.clock.now())).toContain(`Retired key ${old}`);
    expect(await kids()).toEqual([signing]);
    expect(await runKeys(t.db, ['list'], t.clock.now())).toMatch(new RegExp(`${signing} .* signing\n${old} .* retired`));
  });
});
