// Compiles src/ to dist/ and copies what tsc does not: executor/generator schemas and the
// generators' files/ templates, so that `npm pack` yields a package Nx can load.
import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const src = join(root, 'src');
const dist = join(root, 'dist');

rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], {
  stdio: 'inherit',
});

function copyAssets(dir) {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    const target = join(dist, relative(src, path));
    if (statSync(path).isDirectory()) {
      if (entry === 'files') cpSync(path, target, { recursive: true });
      else copyAssets(path);
    } else if (entry.endsWith('.json')) {
      cpSync(path, target);
    }
  }
}
copyAssets(src);
