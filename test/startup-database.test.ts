import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { prepareDatabase } from '../src/bootstrap';
import { loadConfig } from '../src/config';
import { DatabaseUnreachable } from '../src/db/connection-errors';

const run = promisify(execFile);
// Nothing listens on port 1: the connection is refused at once.
const UNREACHABLE = 'postgres://cohort:s3cret-password@127.0.0.1:1/cohort';
const ONE_LINE = /^Cannot reach the database at DATABASE_URL=postgres:\/\/cohort@127\.0\.0\.1:1\/cohort: .*ECONNREFUSED.*$/;

test('prepareDatabase with an unreachable database: one message naming DATABASE_URL, without its password', async () => {
  const config = loadConfig({ DATABASE_URL: UNREACHABLE } as NodeJS.ProcessEnv);
  const attempt = prepareDatabase(config, () => undefined, { seed: false });
  await expect(attempt).rejects.toBeInstanceOf(DatabaseUnreachable);
  const err = (await attempt.catch((e: Error) => e)) as Error;
  expect(err.message).toMatch(ONE_LINE);
  expect(err.message).not.toContain('s3cret');
  expect(err.message).not.toMatch(/Migration\s+failed/);
}, 60_000);

test('npm start with an unreachable database prints that one line, no stack, and exits 1', async () => {
  const root = path.join(__dirname, '..');
  const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
  const start = run(tsx, ['src/server.ts'], { cwd: root, env: { ...process.env, DATABASE_URL: UNREACHABLE, NODE_ENV: 'development', NODE_OPTIONS: '' } });
  const failure = (await start.then(
    () => null,
    (e: { code: number; stderr: string; stdout: string }) => e,
  ))!;
  expect(failure).not.toBeNull();
  expect(failure.code).toBe(1);
  expect(failure.stderr.trim()).toMatch(ONE_LINE);
  expect(failure.stderr).not.toContain('s3cret');
  expect(failure.stderr).not.toMatch(/\n\s+at /);
}, 120_000);
