/**
 * The library's floors, checked: a module imports from its own folder or from a lower floor,
 * features never from each other, and only docker/ and system/ reach an engine or run a program.
 * docs/design.md draws the same layout.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const LIB = __dirname;
const SRC = dirname(LIB);

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

/** The lib folder a path is in (`errors` for errors.ts), or undefined outside src/lib. */
function folderOf(path: string): string | undefined {
  const inLib = relative(LIB, path);
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

function crossings(): Crossing[] {
  const found: Crossing[] = [];
  for (const file of sources(LIB)) {
    const from = folderOf(file) ?? '';
    const name = relative(SRC, file);
    for (const spec of importsOf(file)) {
      if (!spec.startsWith('.')) {
        if (ENGINE_MODULES.test(spec) && !ENGINE_FOLDERS.has(from)) found.push({ file: name, target: spec, why: 'only docker/ and system/ reach engines and run programs' });
        continue;
      }
      const to = folderOf(resolve(dirname(file), spec));
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
    assert.deepEqual(crossings(), []);
  });

  it('knows every folder of the library', () => {
    const folders = readdirSync(LIB, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
    assert.deepEqual(folders.filter((f) => floorOf(f) < 0), []);
  });

  it('would see a feature importing another feature, and a floor importing upward', () => {
    const probe = (from: string, to: string) => floorOf(to) >= floorOf(from);
    assert.ok(probe('run', 'image-build'), 'features are one floor');
    assert.ok(probe('model', 'docker'), 'model sits below docker');
    assert.ok(!probe('docker', 'model'));
    assert.deepEqual(importsOf(join(LIB, 'docker', 'engine.ts')).filter((s) => s.startsWith('..')).sort(), ['../errors', '../model/platform', '../system/process']);
  });
});
