import fs from 'node:fs';
import path from 'node:path';
import { PASSWORD, startApp } from './app-process';
import { login } from './http';
import { downloadCsv } from './csv-export';
async function main() {
  const dir = fs.mkdtempSync('/tmp/cpuprof-csv-');
  const app = await startApp({ DATABASE_URL: process.env.DATABASE_URL }, ['--cpu-prof', `--cpu-prof-dir=${dir}`]);
  const cookie = await login(app.base, 'instructor@cohort.example', PASSWORD);
  const r = await downloadCsv(app, '/instructor/gradebook.csv', cookie);
  console.log(JSON.stringify(r));
  await app.stop();
  const file = fs.readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))!;
  console.log(path.join(dir, file));
}
main();
