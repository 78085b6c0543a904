/**
 * The library's floors, checked: a module imports from its own folder or from a lower floor,
 * features never from each other, and only docker/ and system/ reach an engine or run a program.
 * docs/design.md draws the same layout.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';

const LIB = __dirname;

/** Bottom first. Folders of one floor may not import each other. */
const FLOORS: readonly (readonly string[])[] = [
  ['errors'],
  ['system'],
  ['model'],
  ['text'],
  ['docker'],
  ['version'],
  ['image-build', 'cache', 'publish', 'run', 'transfer'],
];

/** Modules that reach an engine, a registry or another program. */
const ENGINE_MODULES = /^(dockerode|docker-modem|execa|node:child_process|child_process)$/;
const ENGINE_FOLDERS = new Set(['docker', 'system']);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*'([^']+)'|import\(\s*'([^']+)'\s*\)/g)].map((m) => m[1] ?? m[2] ?? '');
}

/** The lib folder a path is in (`errors` for errors.ts), or undefined outside the library. */
function folderOf(lib: string, path: string): string | undefined {
  const inLib = relative(lib, path);
  if (inLib.startsWith('..')) return undefined;
  const first = inLib.split(sep)[0] ?? '';
  return first.replace(/\.ts$/, '');
}

function floorOf(folder: string): number {
  return FLOORS.findIndex((floor) => floor.includes(folder));
}

interface Crossing {
  file: string;
  target: string;
  why: string;
}

function crossings(lib: string): Crossing[] {
  const found: Crossing[] = [];
  for (const file of sources(lib)) {
    const from = folderOf(lib, file) ?? '';
    const name = relative(dirname(lib), file);
    for (const spec of importsOf(file)) {
      if (!spec.startsWith('.')) {
        if (ENGINE_MODULES.test(spec) && !ENGINE_FOLDERS.has(from)) found.push({ file: name, target: spec, why: 'only docker/ and system/ reach engines and run programs' });
        continue;
      }
      const to = folderOf(lib, resolve(dirname(file), spec));
      if (to === undefined) found.push({ file: name, target: spec, why: 'the library imports nothing above it' });
      else if (to === from) continue;
      else if (floorOf(to) < 0 || floorOf(from) < 0) found.push({ file: name, target: spec, why: `${floorOf(to) < 0 ? to : from} is on no floor` });
      else if (floorOf(to) > floorOf(from)) found.push({ file: name, target: spec, why: `${from} is below ${to}` });
      else if (floorOf(to) === floorOf(from)) found.push({ file: name, target: spec, why: `${from} and ${to} are features beside each other: what both need belongs in a lower floor` });
    }
  }
  return found;
}

describe('library floors', () => {
  it('every import runs down a floor or stays in its folder', () => {
    assert.deepEqual(crossings(LIB), []);
  });

  it('knows every folder of the library', () => {
    const folders = readdirSync(LIB, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
    assert.deepEqual(folders.filter((f) => floorOf(f) < 0), []);
  });

  it('sees a feature importing another, a floor importing upward, the library importing its users, and dockerode outside docker/', () => {
    const lib = join(mkdtempSync(join(tmpdir(), 'dockconv-floors-')), 'lib');
    const write = (path: string, text: string) => {
      mkdirSync(dirname(join(lib, path)), { recursive: true });
      writeFileSync(join(lib, path), text);
    };
    write('errors.ts', 'export const E = 1;\n');
    write('model/a.ts', "import { E } from '../errors';\nimport type { X } from '../docker/b';\n");
    write('docker/b.ts', "import Docker from 'dockerode';\nexport type X = Docker;\n");
    write('run/c.ts', "import { f } from '../transfer/d';\nimport { g } from '../../plugin/p';\n");
    write('transfer/d.ts', "import { execa } from 'execa';\nexport const f = execa;\n");
    assert.deepEqual(
      crossings(lib).map((c) => `${c.file} → ${c.target}`),
      ['lib/model/a.ts → ../docker/b', 'lib/run/c.ts → ../transfer/d', 'lib/run/c.ts → ../../plugin/p', 'lib/transfer/d.ts → execa'],
    );
  });
});
