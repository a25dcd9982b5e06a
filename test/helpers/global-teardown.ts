import fs from 'node:fs';
import { adminQuery } from './db';

export default async function globalTeardown(): Promise<void> {
  const t = (globalThis as Record<string, unknown>).__ccTemplate as { url?: string; name?: string; file?: string } | undefined;
  if (!t) return;
  if (t.file) fs.rmSync(t.file, { force: true });
  if (t.url && t.name) await adminQuery(t.url, `drop database if exists ${t.name} with (force)`);
}
