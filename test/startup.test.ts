import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ConfigError, loadConfig } from '../src/config';
import { openEmbeddedDatabase } from '../src/db/connect';

const run = promisify(execFile);

test('a bad configuration value stops start-up with a message naming the variable', () => {
  expect(() => loadConfig({ PORT: 'eighty' } as NodeJS.ProcessEnv)).toThrow(/PORT/);
  expect(() => loadConfig({ APP_NOW: 'next tuesday' } as NodeJS.ProcessEnv)).toThrow(/APP_NOW must be an ISO 8601 instant/);
  expect(() => loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'secret' } as NodeJS.ProcessEnv)).toThrow(ConfigError);
  expect(() => loadConfig({ NODE_ENV: 'production' } as NodeJS.ProcessEnv)).toThrow(/SESSION_SECRET is required in production/);
  expect(
    loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'f3a9c1d7e5b2a8c4d6e0f1a3b5c7d9e2f4a6b8c0', SMTP_URL: 'smtp://mail:1025' } as NodeJS.ProcessEnv)
      .NODE_ENV,
  ).toBe('production');
});

test('TRUST_PROXY: loopback by default, a hop count, a keyword or addresses; anything else stops start-up naming it', () => {
  expect(loadConfig({} as NodeJS.ProcessEnv).trustProxy).toBe('loopback');
  expect(loadConfig({ TRUST_PROXY: '1' } as NodeJS.ProcessEnv).trustProxy).toBe(1);
  expect(loadConfig({ TRUST_PROXY: 'uniquelocal' } as NodeJS.ProcessEnv).trustProxy).toBe('uniquelocal');
  expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8' } as NodeJS.ProcessEnv).trustProxy).toBe('loopback, 10.0.0.0/8');
  expect(() => loadConfig({ TRUST_PROXY: 'everyone' } as NodeJS.ProcessEnv)).toThrow(/TRUST_PROXY/);
});

test('HTTPS-only settings: on in production unless BASE_URL is plain http://; off in development', () => {
  const secret = 'f3a9c1d7e5b2a8c4d6e0f1a3b5c7d9e2f4a6b8c0';
  expect(loadConfig({ NODE_ENV: 'production', SESSION_SECRET: secret, SMTP_URL: 'smtp://mail:1025' } as NodeJS.ProcessEnv).httpsOnly).toBe(true);
  expect(
    loadConfig({ NODE_ENV: 'production', SESSION_SECRET: secret, SMTP_URL: 'smtp://mail:1025', BASE_URL: 'https://cohort.example' } as NodeJS.ProcessEnv)
      .httpsOnly,
  ).toBe(true);
  expect(
    loadConfig({ NODE_ENV: 'production', SESSION_SECRET: secret, SMTP_URL: 'smtp://mail:1025', BASE_URL: 'http://localhost:3000' } as NodeJS.ProcessEnv)
      .httpsOnly,
  ).toBe(false);
  expect(loadConfig({ BASE_URL: 'https://cohort.example' } as NodeJS.ProcessEnv).httpsOnly).toBe(false);
});

test('the embedded database refuses a second process on the same data directory', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-lock-'));
  const handle = await openEmbeddedDatabase(dir);
  try {
    // The lock is taken when the database opens: the second process must stop before touching it.
    const tsx = path.join(__dirname, '..', 'node_modules', '.bin', 'tsx');
    const second = run(tsx, ['scripts/migrate.ts'], { cwd: path.join(__dirname, '..'), env: { ...process.env, DATA_DIR: dir, NODE_OPTIONS: '' } });
    await expect(second).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('already open in another process') });
  } finally {
    await handle.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);
