/**
 * Inference runs on every graph computation; reading and analysing the docker trees again is
 * skipped when none of the files it reads, the options or the tag environment changed.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DockconvError } from '../lib/errors';
import { currentUser } from '../lib/naming';
import { loadWorkspaceImages, type ProjectLocation, type WorkspaceImages } from '../lib/workspace';
import type { NormalizedPluginOptions } from './options';

const MAX_ENTRIES = 4;
const memo = new Map<string, WorkspaceImages>();

export function loadCachedWorkspace(
  workspaceRoot: string,
  locations: readonly ProjectLocation[],
  options: NormalizedPluginOptions,
): WorkspaceImages {
  const key = inputsKey(workspaceRoot, locations, options);
  const hit = memo.get(key);
  if (hit) return hit;
  const loaded = load(workspaceRoot, locations, options);
  if (memo.size >= MAX_ENTRIES) memo.delete(memo.keys().next().value ?? '');
  memo.set(key, loaded);
  return loaded;
}

function load(workspaceRoot: string, locations: readonly ProjectLocation[], options: NormalizedPluginOptions): WorkspaceImages {
  try {
    return loadWorkspaceImages(workspaceRoot, locations, {
      plugin: { tag: options.tag, prefix: options.prefix },
      env: process.env,
    });
  } catch (err) {
    // Nx prints a plugin error's message; make it the one clear `file:line: …` line.
    if (err instanceof DockconvError) throw new Error(err.describe());
    throw err;
  }
}

function inputsKey(workspaceRoot: string, locations: readonly ProjectLocation[], options: NormalizedPluginOptions): string {
  const hash = createHash('sha1');
  hash.update(JSON.stringify([options, process.env['DOCKCONV_TAG'] ?? '', currentUser()]));
  for (const { name, root } of locations) {
    hash.update(`\0${name}\0${root}\0`);
    for (const file of dockerFiles(join(workspaceRoot, root))) hash.update(file).update(readOrEmpty(file));
  }
  return hash.digest('hex');
}

function dockerFiles(rootAbs: string): string[] {
  const docker = join(rootAbs, 'docker');
  let entries: string[];
  try {
    entries = readdirSync(docker);
  } catch {
    return [];
  }
  return entries.flatMap((e) => (e.endsWith('.cfg') ? [join(docker, e)] : [join(docker, e, 'Dockerfile')]));
}

function readOrEmpty(path: string): Buffer | string {
  try {
    return readFileSync(path);
  } catch {
    return '';
  }
}
