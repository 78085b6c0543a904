/**
 * Cache keys for per-image build tasks that only ever match an engine holding the image they
 * stand for.
 *
 * Nx replays a task when its key matches a stored result, without running anything. For an image,
 * "the files are the same" is not enough: the image may have been removed, re-tagged, replaced by
 * another branch's build, or live on another engine. So a key is tied to one image ID:
 *
 * - a task whose inputs (Nx's hash of files, options and environment) were seen before, on this
 *   engine, under this reference, and whose reference still points at the image that run
 *   produced, gets that run's key back: a true no-op is a cache hit;
 * - any other task gets a key never used before, so Nx must run it; the executor then builds or
 *   verifies the image and records its ID against that key, and the next run hits.
 *
 * State lives in files under Nx's workspace data folder, one per (engine, reference, inputs), plus
 * one per task pointing at the state its latest key belongs to (the executor learns which state to
 * confirm from it: in batch mode Nx does not tell a task its key).
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { workspaceDataDir } from '../workspace-data';
import type { EngineSnapshot } from './engine-snapshot';

/** What a confirmed state holds instead of an image ID when the task only skipped its image. */
export const SKIPPED = 'skipped';

interface KeyState {
  ref: string;
  key: string;
  /** The image ID the run under `key` left at `ref` (or SKIPPED); unset until confirmed. */
  image?: string;
}

interface TaskIndex {
  state: string;
  key: string;
}

export function cacheKeyDir(workspaceRoot: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(workspaceDataDir(workspaceRoot, env), 'dockconv', 'cache-keys');
}

export interface ImageKeyRequest {
  /** `project:target[:configuration]` */
  taskId: string;
  /** Nx's own hash of the task's declared inputs, options and environment. */
  inputsHash: string;
  ref: string;
}

/** The key for a per-image task given what the engine holds now (undefined: no engine answered). */
export function imageCacheKey(dir: string, request: ImageKeyRequest, snapshot: EngineSnapshot | undefined): string {
  if (!snapshot) return freshKey(request.inputsHash);
  const stateName = digest([snapshot.engine, request.ref, request.inputsHash]);
  const state = readJson<KeyState>(join(dir, stateName));
  const present = snapshot.images.get(request.ref);
  const standsFor = state?.image !== undefined && (state.image === SKIPPED || state.image === present);
  const key = state && standsFor ? state.key : freshKey(request.inputsHash);
  if (!state || !standsFor) writeJson(dir, stateName, { ref: request.ref, key } satisfies KeyState);
  // Always: the executor confirms whatever state this task's latest key belongs to.
  writeJson(join(dir, 'tasks'), digest([request.taskId]), { state: stateName, key } satisfies TaskIndex);
  return key;
}

export interface Confirmation {
  taskId: string;
  /** The key Nx gave the running task, when it says (not in batch mode). */
  taskHash?: string;
  ref: string;
  /** The image ID now at `ref`, or SKIPPED. */
  image: string;
}

/** After a successful run: the key the task ran under now stands for this image. */
export function confirmImage(dir: string, confirmation: Confirmation): void {
  const index = readJson<TaskIndex>(join(dir, 'tasks', digest([confirmation.taskId])));
  if (!index || (confirmation.taskHash !== undefined && index.key !== confirmation.taskHash)) return;
  const state = readJson<KeyState>(join(dir, index.state));
  if (!state || state.key !== index.key || state.ref !== confirmation.ref) return;
  writeJson(dir, index.state, { ...state, image: confirmation.image } satisfies KeyState);
}

/** A key no stored result can have: for runs that must never be replayed (dry runs, no engine). */
export function freshKey(inputsHash: string): string {
  return digest([inputsHash, randomUUID()]);
}

export function digest(parts: readonly string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 40);
}

function readJson<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

const pruned = new Set<string>();

function writeJson(dir: string, name: string, value: object): void {
  mkdirSync(dir, { recursive: true });
  if (!pruned.has(dir)) {
    pruned.add(dir);
    pruneOld(dir);
  }
  const temp = join(dir, `.${name}.${process.pid}.tmp`);
  writeFileSync(temp, JSON.stringify(value));
  renameSync(temp, join(dir, name));
}

/** States of inputs nobody has built for weeks only take space: dropped once the folder grows. */
const PRUNE_ABOVE = 5000;
const PRUNE_AGE_MS = 30 * 24 * 3600 * 1000;

function pruneOld(dir: string): void {
  const names = readdirSync(dir);
  if (names.length <= PRUNE_ABOVE) return;
  const cutoff = Date.now() - PRUNE_AGE_MS;
  for (const name of names) {
    const path = join(dir, name);
    try {
      const stat = statSync(path);
      if (stat.isFile() && stat.mtimeMs < cutoff) rmSync(path, { force: true });
    } catch {
      // removed meanwhile
    }
  }
}
