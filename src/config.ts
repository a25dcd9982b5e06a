import path from 'node:path';
import { DateTime } from 'luxon';
import { z } from 'zod';

/**
 * The environment, parsed once. This is the only module that reads process.env;
 * a bad value stops start-up with a message naming the variable.
 */
const weakSecrets = new Set(['secret', 'changeme', 'change-me', 'session-secret', 'development']);

const isoInstant = z.string().refine((v) => DateTime.fromISO(v, { setZone: true }).isValid, {
  message: 'must be an ISO 8601 instant, e.g. 2020-02-19T14:00:00Z',
});

const schema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().default('0.0.0.0'),
    BASE_URL: z.url().optional(),
    /**
     * Which proxies' X-Forwarded-* headers to believe (express "trust proxy"): `loopback` (a proxy
     * on the same host), `uniquelocal` (private networks, e.g. a load balancer container), a
     * comma-separated list of addresses/CIDRs, or a number of hops.
     */
    TRUST_PROXY: z
      .string()
      .regex(
        /^(loopback|linklocal|uniquelocal|\d+|[0-9a-fA-F.:/]+)(\s*,\s*(loopback|linklocal|uniquelocal|[0-9a-fA-F.:/]+))*$/,
        'must be loopback, uniquelocal, a number of hops or a list of addresses/CIDRs',
      )
      .default('loopback'),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
      .optional(),
    /**
     * How long an instance may serve a session's page views from its last read of that session
     * (issue 19; src/http/session-store.ts): the bound within which a sign-out, a drop or a new
     * unread item made on another instance shows. 0 reads the session on every request.
     */
    SESSION_HOLD_MS: z.coerce.number().int().min(0).max(60_000).default(2_000),
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
    DATA_DIR: z.string().default('data'),
    APP_NOW: isoInstant.optional(),
    SESSION_SECRET: z.string().optional(),
    /**
     * Production without SMTP_URL would print set-password and reset links to the log and disk:
     * refused unless this is set to exactly 'log-links' (a loud warning at every start).
     */
    MAIL_WITHOUT_SMTP: z.enum(['log-links']).optional(),
    SMTP_URL: z
      .string()
      .regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL')
      .optional(),
    MAIL_FROM: z.string().default('EDUC 551/639 Cohort Companion <cohort@cohort.example>'),
    MAIL_REPLY_TO: z.string().default('Donald J. Peurach <dpeurach@umich.edu>'),
    /** A mailbox that takes unsubscribe requests by mail: only when set, List-Unsubscribe also carries a mailto: form. */
    UNSUBSCRIBE_MAILTO: z.email().optional(),
    SEED_DEMO_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),
    WORKER: z.enum(['on', 'off']).default('on'),
    WORKER_INTERVAL_MS: z.coerce.number().int().min(50).default(5000),
    TEAM_SIZE_CAP: z.coerce.number().int().min(2).max(50).default(5),
    UPLOAD_MAX_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .default(10 * 1024 * 1024),
    /** All files one person may keep (every version's file counts; identical bytes once). */
    UPLOAD_QUOTA_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .default(200 * 1024 * 1024),
    REMINDER_OFFSETS_DAYS: z
      .string()
      .regex(/^\d+(,\d+)*$/, 'must be comma-separated whole days, e.g. 7,2,0')
      .default('7,2,0'),
    LOG_LEVEL: z.enum(['silent', 'error', 'info', 'debug']).default('info'),
    /** `npm run bench` only: mounts /__bench/ceiling (bare express + ejs page) and /__bench/stats. */
    BENCH_ROUTES: z.enum(['on', 'off']).default('off'),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production' && !env.SMTP_URL && env.MAIL_WITHOUT_SMTP !== 'log-links') {
      ctx.addIssue({
        code: 'custom',
        path: ['SMTP_URL'],
        message:
          'is required in production: without it, password links would be written to the log and the data directory. Set SMTP_URL, or MAIL_WITHOUT_SMTP=log-links to accept that knowingly.',
      });
    }
    if (env.NODE_ENV === 'production') {
      const s = env.SESSION_SECRET;
      if (!s || s.length < 32 || weakSecrets.has(s.toLowerCase()) || new Set(s).size < 10) {
        ctx.addIssue({
          code: 'custom',
          path: ['SESSION_SECRET'],
          message: 'is required in production: at least 32 random characters (e.g. `openssl rand -hex 32`)',
        });
      }
    }
  });

export type Config = z.infer<typeof schema> & {
  dataDir: string;
  baseUrl: string;
  /** express "trust proxy" value parsed from TRUST_PROXY. */
  trustProxy: string | number;
  /**
   * Secure cookies, HSTS and upgrade-insecure-requests: on in production unless BASE_URL is
   * explicitly plain http:// (trying the production build on localhost, e.g. docker compose).
   */
  httpsOnly: boolean;
  sessionSecret: string;
  reminderOffsetsDays: number[];
};

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable (e.g. `APP_NOW=` from docker-compose) means "not set".
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(env)'} ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  return {
    ...c,
    dataDir: path.resolve(c.DATA_DIR),
    baseUrl: (c.BASE_URL ?? `http://localhost:${c.PORT}`).replace(/\/$/, ''),
    trustProxy: /^\d+$/.test(c.TRUST_PROXY) ? Number(c.TRUST_PROXY) : c.TRUST_PROXY,
    httpsOnly: c.NODE_ENV === 'production' && !(c.BASE_URL ?? '').startsWith('http://'),
    // Development and tests get a per-process secret; production must configure one (checked above).
    sessionSecret: c.SESSION_SECRET ?? `dev-${process.pid}-${Math.random().toString(36).slice(2)}-not-for-production`,
    reminderOffsetsDays: [...new Set(c.REMINDER_OFFSETS_DAYS.split(',').map(Number))].sort((a, b) => b - a),
  };
}
