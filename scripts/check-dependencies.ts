/**
 * `npm run deps:check`: what can be checked about the dependency tree where `npm audit` cannot run
 * (this network's registry answers the advisories endpoint with 405). For every installed package
 * (package-lock.json), the registry's own metadata for that exact version: deprecated or not (npm
 * marks versions with known security problems deprecated, e.g. "critical security vulnerability"),
 * and whether the lock file's integrity hash matches what the registry publishes. Exit code 1 if
 * a package is deprecated with a security reason or its integrity differs. Try `npm audit` first.
 */
import fs from 'node:fs';
import path from 'node:path';

interface Locked {
  version?: string;
  integrity?: string;
  dev?: boolean;
  resolved?: string;
}

const registry = (process.env.npm_config_registry ?? 'https://registry.npmjs.org/').replace(/\/?$/, '/');
const lock = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package-lock.json'), 'utf8')) as { packages: Record<string, Locked> };

const entries = Object.entries(lock.packages)
  .filter(([p, v]) => p.startsWith('node_modules/') && v.version && !v.resolved?.startsWith('file:'))
  .map(([p, v]) => ({ name: p.slice(p.lastIndexOf('node_modules/') + 'node_modules/'.length), ...v }));
const unique = [...new Map(entries.map((e) => [`${e.name}@${e.version}`, e])).values()];

async function check(e: (typeof unique)[number]) {
  const res = await fetch(`${registry}${e.name.replace('/', '%2F')}/${e.version}`, { headers: { accept: 'application/json' } });
  if (!res.ok) return { ...e, problem: `registry answered ${res.status}` };
  const meta = (await res.json()) as { deprecated?: string; dist?: { integrity?: string } };
  if (e.integrity && meta.dist?.integrity && meta.dist.integrity !== e.integrity) return { ...e, problem: 'integrity differs from the registry' };
  if (meta.deprecated) return { ...e, deprecated: meta.deprecated };
  return e;
}

async function main() {
  const results: Awaited<ReturnType<typeof check>>[] = [];
  for (let i = 0; i < unique.length; i += 16) results.push(...(await Promise.all(unique.slice(i, i + 16).map(check))));
  const deprecated = results.filter((r) => 'deprecated' in r);
  const problems = results.filter((r) => 'problem' in r);
  const security = deprecated.filter((r) => /secur|vulnerab|CVE|GHSA/i.test(String((r as { deprecated: string }).deprecated)));
  console.log(`Checked ${results.length} installed package versions against ${registry}`);
  for (const r of deprecated) console.log(`deprecated${r.dev ? ' (dev)' : ''}: ${r.name}@${r.version}: ${(r as { deprecated: string }).deprecated}`);
  for (const r of problems) console.log(`problem: ${r.name}@${r.version}: ${(r as { problem: string }).problem}`);
  console.log(`${deprecated.length} deprecated (${security.length} for security reasons), ${problems.length} other problems.`);
  process.exit(security.length || problems.some((p) => /integrity/.test((p as { problem: string }).problem)) ? 1 : 0);
}

void main();
