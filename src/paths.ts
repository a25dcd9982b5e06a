import fs from 'node:fs';
import path from 'node:path';

/** The project root (where package.json is), whether running from src/ or a compiled dist/. */
function findRoot(start: string): string {
  let dir = start;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`package.json not found above ${start}`);
    dir = parent;
  }
  return dir;
}

export const projectRoot = findRoot(__dirname);
export const viewsDir = path.join(projectRoot, 'views');
export const seedsDir = path.join(projectRoot, 'seeds');
export const publicDir = path.join(projectRoot, 'public');
