import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT, type JWK, type JWTPayload, type CryptoKey } from 'jose';

/**
 * An LTI 1.3 platform emulator for the tests (issue 18): an independent HTTP server with its own
 * RSA keys that plays the part of edX's xblock-lti-consumer. It serves its JWK Set, answers the
 * tool's OIDC authorization request with a signed id_token built the way
 * `lti_consumer/lti_1p3/consumer.py` builds a launch (claims, roles, context, custom parameters,
 * PII only when asked, the AGS endpoint claim of `ags.py`, the deep linking settings of
 * `deep_linking.py`), issues access tokens for client-credentials grants whose JWT client assertion
 * verifies against the tool's published keys, and records every score posted to a line item.
 *
 * Faults are switches: `failScores` answers score posts with an error status, `rotateKey()` signs
 * with a new key the tool has not seen.
 */
const LTI = 'https://purl.imsglobal.org/spec/lti/claim/';
const AGS = 'https://purl.imsglobal.org/spec/lti-ags/claim/endpoint';
const DL = 'https://purl.imsglobal.org/spec/lti-dl/claim/';
export const LEARNER_ROLES = ['http://purl.imsglobal.org/vocab/lis/v2/membership#Learner', 'http://purl.imsglobal.org/vocab/lis/v2/institution/person#Student'];
export const INSTRUCTOR_ROLES = ['http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor'];

export interface LaunchSpec {
  sub: string;
  /** Sent only when the course shares PII (edX: "Request user's email" on the component). */
  email?: string;
  name?: string;
  roles?: string[];
  custom?: Record<string, string>;
  /** course-v1:MichiganX+LeadEd502x+1T2020 by default. */
  contextId?: string;
  contextLabel?: string;
  resourceLinkId?: string;
  /** Adds the AGS endpoint claim for this line item (declarative grading, weight 1). */
  lineitem?: string;
  agsScopes?: string[];
  messageType?: 'LtiResourceLinkRequest' | 'LtiDeepLinkingRequest';
  deepLinkReturnUrl?: string;
  deepLinkData?: string;
  /** Overrides applied to the signed claims last (for negative cases). */
  override?: Record<string, unknown>;
  /** Sign with this key/kid instead of the platform's current one. */
  signWith?: { key: CryptoKey; kid: string };
  /** Seconds from the platform clock to the token's `iat`, `exp` is iat + 300. */
  iatOffset?: number;
}

export interface ScorePost {
  lineitem: string;
  contentType: string;
  authorization: string;
  body: Record<string, unknown>;
}

interface KeyPair {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

async function newKey(): Promise<KeyPair> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = randomUUID();
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

export class LtiPlatform {
  readonly clientId = 'edx-client-' + randomUUID().slice(0, 8);
  readonly deploymentId = '1';
  private keys: KeyPair[] = [];
  private server!: Server;
  base = '';
  jwksFetches = 0;
  tokenRequests: Record<string, string>[] = [];
  scores: ScorePost[] = [];
  deepLinkResponses: JWTPayload[] = [];
  /** Answer score posts with this status (and this body) while > 0 posts remain to fail. */
  failScores: { status: number; body: string; times: number } | null = null;
  private tokens = new Set<string>();

  constructor(
    /** The platform's clock (the app's pinned clock in tests). */
    private readonly now: () => Date,
    /** The tool's published JWK Set, to check client assertions and deep linking responses. */
    private readonly toolJwks: () => Promise<{ keys: JWK[] }>,
  ) {}

  /**
   * For a real browser (test/e2e/lti.e2e.ts): the tool's base URL, and the launch the platform's
   * authorization endpoint signs next. GET /courseware shows a unit with the tool in an iframe, as
   * edX does; the authorization endpoint answers with the self-posting form edX answers with.
   */
  toolBase = '';
  nextLaunch: LaunchSpec | null = null;

  /** `host` names the platform in its URLs: `localhost` makes it another site than a tool at 127.0.0.1 (third-party iframe). */
  static async start(now: () => Date, toolJwks: () => Promise<{ keys: JWK[] }>, opts: { host?: string } = {}): Promise<LtiPlatform> {
    const p = new LtiPlatform(now, toolJwks);
    p.keys.push(await newKey());
    p.server = createServer((req, res) => {
      p.handle(req, res).catch((err: Error) => {
        res.statusCode = 500;
        res.end(String(err?.message));
      });
    });
    await new Promise<void>((resolve) => p.server.listen(0, '127.0.0.1', resolve));
    p.base = `http://${opts.host ?? '127.0.0.1'}:${(p.server.address() as AddressInfo).port}`;
    return p;
  }

  get issuer() {
    return this.base;
  }
  get authUrl() {
    return `${this.base}/api/lti_consumer/v1/launch/`;
  }
  get tokenUrl() {
    return `${this.base}/api/lti_consumer/v1/token/block-v1:MichiganX+LeadEd502x`;
  }
  get jwksUrl() {
    return `${this.base}/api/lti_consumer/v1/public_keysets/block-v1:MichiganX+LeadEd502x`;
  }
  lineitemUrl(n = 1) {
    return `${this.base}/api/lti_consumer/v1/lti/${n}/lti-ags/${n}`;
  }

  /** The arguments of `npm run lti:register` for this platform. */
  registerArgs(offering = 'educ-551-639-winter-2020') {
    return [
      '--issuer',
      this.issuer,
      '--client-id',
      this.clientId,
      '--deployment-id',
      this.deploymentId,
      '--auth-url',
      this.authUrl,
      '--token-url',
      this.tokenUrl,
      '--jwks-url',
      this.jwksUrl,
      '--offering',
      offering,
    ];
  }

  /** The third-party-initiated login edX sends the browser to (GET or POST /lti/login). */
  loginParams(targetLinkUri: string, loginHint = 'edx-user', messageHint = 'block-v1:MichiganX+LeadEd502x+type@lti_consumer+block@abc') {
    return {
      iss: this.issuer,
      client_id: this.clientId,
      lti_deployment_id: this.deploymentId,
      target_link_uri: targetLinkUri,
      login_hint: loginHint,
      lti_message_hint: messageHint,
    };
  }

  /** A new signing key: the JWK Set publishes it next to the old one, and launches are signed with it. */
  async rotateKey(): Promise<void> {
    this.keys.unshift(await newKey());
  }

  /** A key the platform never publishes (a forged signature). */
  async strangerKey(): Promise<{ key: CryptoKey; kid: string }> {
    const k = await newKey();
    return { key: k.privateKey, kid: this.keys[0].kid };
  }

  /**
   * The platform's answer to the tool's authorization redirect: checks what edX checks (the
   * redirect_uri is the tool's launch URL, response_mode form_post, scope openid, prompt none, our
   * client id) and signs an id_token carrying the tool's nonce.
   */
  async authorize(authRedirect: string, spec: LaunchSpec): Promise<{ redirectUri: string; form: { id_token: string; state: string } }> {
    const url = new URL(authRedirect);
    if (`${url.origin}${url.pathname}` !== this.authUrl) throw new Error(`authorization sent to ${url.origin}${url.pathname}, not ${this.authUrl}`);
    const q = Object.fromEntries(url.searchParams);
    for (const [k, v] of Object.entries({ scope: 'openid', response_type: 'id_token', response_mode: 'form_post', prompt: 'none', client_id: this.clientId }))
      if (q[k] !== v) throw new Error(`authorization request: ${k}=${q[k]}, expected ${v}`);
    for (const k of ['redirect_uri', 'state', 'nonce', 'login_hint']) if (!q[k]) throw new Error(`authorization request without ${k}`);
    return { redirectUri: q.redirect_uri, form: { id_token: await this.idToken(q.nonce, q.redirect_uri, spec), state: q.state } };
  }

  /** The id_token edX would sign for this launch. */
  async idToken(nonce: string, targetLinkUri: string, spec: LaunchSpec): Promise<string> {
    const messageType = spec.messageType ?? 'LtiResourceLinkRequest';
    const claims: Record<string, unknown> = {
      azp: this.clientId,
      nonce,
      [`${LTI}message_type`]: messageType,
      [`${LTI}version`]: '1.3.0',
      [`${LTI}deployment_id`]: this.deploymentId,
      [`${LTI}target_link_uri`]: targetLinkUri,
      [`${LTI}roles`]: spec.roles ?? LEARNER_ROLES,
      [`${LTI}launch_presentation`]: { document_target: 'iframe', return_url: `${this.base}/courses/` },
      [`${LTI}context`]: {
        id: spec.contextId ?? 'course-v1:MichiganX+LeadEd502x+1T2020',
        type: ['http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering'],
        title: 'Leading Educational Innovation and Improvement',
        label: spec.contextLabel ?? 'LeadEd502x',
      },
      [`${LTI}tool_platform`]: { guid: 'edx.org', name: 'edX', product_family_code: 'openedx' },
    };
    if (messageType === 'LtiResourceLinkRequest')
      claims[`${LTI}resource_link`] = { id: spec.resourceLinkId ?? 'block-v1:MichiganX+LeadEd502x+type@lti_consumer+block@abc', title: 'Cohort Companion' };
    if (spec.custom) claims[`${LTI}custom`] = spec.custom;
    if (spec.email !== undefined) claims.email = spec.email;
    if (spec.name !== undefined) claims.name = spec.name;
    if (spec.lineitem)
      claims[AGS] = {
        scope: spec.agsScopes ?? [
          'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly',
          'https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly',
          'https://purl.imsglobal.org/spec/lti-ags/scope/score',
        ],
        lineitems: `${this.base}/api/lti_consumer/v1/lti/1/lti-ags`,
        lineitem: spec.lineitem,
      };
    if (messageType === 'LtiDeepLinkingRequest')
      claims[`${DL}deep_linking_settings`] = {
        deep_link_return_url: spec.deepLinkReturnUrl ?? `${this.base}/api/lti_consumer/v1/lti/1/lti-dl/response`,
        accept_types: ['ltiResourceLink'],
        accept_presentation_document_targets: ['iframe', 'window', 'embed'],
        accept_multiple: true,
        auto_create: true,
        ...(spec.deepLinkData ? { data: spec.deepLinkData } : {}),
      };
    Object.assign(claims, spec.override ?? {});
    const iat = Math.floor(this.now().getTime() / 1000) + (spec.iatOffset ?? 0);
    const signer = spec.signWith ?? { key: this.keys[0].privateKey, kid: this.keys[0].kid };
    let jwt = new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: signer.kid, typ: 'JWT' })
      .setIssuedAt(iat)
      .setExpirationTime(iat + 300);
    if (!('iss' in (spec.override ?? {}))) jwt = jwt.setIssuer(this.issuer);
    if (!('aud' in (spec.override ?? {}))) jwt = jwt.setAudience(this.clientId);
    if (!('sub' in (spec.override ?? {}))) jwt = jwt.setSubject(spec.sub);
    return jwt.sign(signer.key);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.base);
    const body = await readBody(req);
    const send = (status: number, payload: unknown, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type });
      res.end(typeof payload === 'string' ? payload : JSON.stringify(payload));
    };
    if (req.method === 'GET' && url.pathname === '/courseware') {
      const login = new URL(`${this.toolBase}/lti/login`);
      for (const [k, v] of Object.entries(this.loginParams(`${this.toolBase}/lti/launch`))) login.searchParams.set(k, v);
      return send(
        200,
        `<!doctype html><html lang="en"><head><title>LeadEd502x · edX</title></head><body><h1>LeadEd502x: Lesson 5</h1><iframe title="Cohort Companion" src="${login.href.replace(/&/g, '&amp;')}" width="900" height="700"></iframe></body></html>`,
        'text/html',
      );
    }
    if (req.method === 'GET' && url.pathname === new URL(this.authUrl).pathname && this.nextLaunch) {
      const { redirectUri, form } = await this.authorize(url.href, this.nextLaunch);
      const esc = (v: string) => v.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
      return send(
        200,
        `<!doctype html><html lang="en"><head><title>Launching</title></head><body><form method="post" action="${esc(redirectUri)}"><input type="hidden" name="id_token" value="${esc(form.id_token)}"><input type="hidden" name="state" value="${esc(form.state)}"><button type="submit">Continue</button></form><script>document.forms[0].submit()</script></body></html>`,
        'text/html',
      );
    }
    if (req.method === 'GET' && url.pathname === new URL(this.jwksUrl).pathname) {
      this.jwksFetches++;
      return send(200, { keys: this.keys.map((k) => k.publicJwk) });
    }
    if (req.method === 'POST' && url.pathname === new URL(this.tokenUrl).pathname) {
      const form = Object.fromEntries(new URLSearchParams(body));
      this.tokenRequests.push(form);
      if (form.grant_type !== 'client_credentials' || form.client_assertion_type !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer')
        return send(400, { error: 'unsupported_grant_type' });
      try {
        await jwtVerify(form.client_assertion, createLocalJWKSet(await this.toolJwks()), {
          issuer: this.clientId,
          subject: this.clientId,
          audience: this.tokenUrl,
          currentDate: this.now(),
        });
      } catch (err) {
        return send(400, { error: 'invalid_client', error_description: (err as Error).message });
      }
      const token = randomUUID();
      this.tokens.add(token);
      return send(200, { access_token: token, token_type: 'Bearer', expires_in: 3600, scope: form.scope });
    }
    const scores = url.pathname.match(/^(\/api\/lti_consumer\/v1\/lti\/\d+\/lti-ags\/\d+)\/scores$/);
    if (req.method === 'POST' && scores) {
      const authorization = req.headers.authorization ?? '';
      if (!this.tokens.has(authorization.replace(/^Bearer /, ''))) return send(401, { error: 'invalid token' });
      if (this.failScores && this.failScores.times > 0) {
        this.failScores.times--;
        return send(this.failScores.status, this.failScores.body, 'text/plain');
      }
      this.scores.push({
        lineitem: `${this.base}${scores[1]}`,
        contentType: String(req.headers['content-type']),
        authorization,
        body: JSON.parse(body) as Record<string, unknown>,
      });
      return send(200, {});
    }
    if (req.method === 'POST' && url.pathname.endsWith('/lti-dl/response')) {
      const form = Object.fromEntries(new URLSearchParams(body));
      const { payload } = await jwtVerify(form.JWT, createLocalJWKSet(await this.toolJwks()), {
        issuer: this.clientId,
        audience: this.issuer,
        currentDate: this.now(),
      });
      this.deepLinkResponses.push(payload);
      return send(200, '<p>Saved</p>', 'text/html');
    }
    send(404, { error: `no ${req.method} ${url.pathname}` });
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
