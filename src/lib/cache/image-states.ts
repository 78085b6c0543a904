/**
 * The state of each image as Nx hashes it: one value per image, handed to Nx as an environment
 * variable that the image's build task takes as an input. A value is reused from one invocation
 * to the next only while the engine holds, at the image's reference, the very image that a
 * successful run under that value left there. Anything else gets a value never used before, so
 * Nx cannot have a result for it and the task runs.
 *
 * One record per (engine, reference, fingerprint of the inputs, parents' values) holds a token
 * and, once a run under it succeeded, the image ID that run left. The token is what the value
 * carries. The rules that keep every cached result true:
 * - a token is handed out while its record is unconfirmed (no run under it succeeded, so Nx holds
 *   nothing for it), or while the engine shows the confirmed image at the reference;
 * - a run that leaves another image than the one confirmed, on another engine or reference, or
 *   on a parent whose own value was not confirmed, retires the token: its result can never be
 *   looked up again.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { workspaceDataDir } from '../system/workspace-data';

interface ImageRecord {
  engine: string;
  ref: string;
  token: string;
  /** The image ID a run under `token` left at `ref`; unset until one succeeded. */
  image?: string;
}

/** What one image's state is made of, apart from the engine. */
export interface StateRequest {
  ref: string;
  /** Digest of what the build reads and Nx cannot see through the engine (files, versions, external images). */
  fingerprint: string;
  /** The values of the images it builds on, as issued in this invocation. */
  parents: readonly string[];
}

/** What the engine shows now: its ID and the image ID at each reference. */
export interface EngineView {
  engine: string;
  images: ReadonlyMap<string, string>;
}

const UNCHECKED = 'unchecked';

export function imageStateDir(workspaceRoot: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(workspaceDataDir(workspaceRoot, env), 'dockconv', 'image-states');
}

/** A value that matches nothing Nx stored: for invocations that did not (or could not) ask the engine. */
export function uncheckedState(): string {
  return `${UNCHECKED}-${randomUUID()}`;
}

/** The value of one image for this invocation; writes a new record when none can be reused. */
export function issueState(dir: string, view: EngineView, request: StateRequest): string {
  const name = digest([view.engine, request.ref, request.fingerprint, ...request.parents]);
  const record = readRecord(dir, name);
  const reusable = record && (record.image === undefined || view.images.get(request.ref) === record.image);
  if (record && reusable) return valueOf(name, record.token);
  const fresh: ImageRecord = { engine: view.engine, ref: request.ref, token: randomUUID() };
  writeRecord(dir, name, fresh);
  return valueOf(name, fresh.token);
}

/** What a successful run left, told by the executor. */
export interface RunResult {
  engine: string;
  ref: string;
  image: string;
  /** The values the parents had in this invocation (each must now be confirmed). */
  parents: readonly string[];
}

/** After a successful run under `value`: the record now stands for the image, or the token is retired. */
export function confirmState(dir: string, value: string | undefined, result: RunResult): void {
  const parsed = parseValue(value);
  if (!parsed) return;
  const record = readRecord(dir, parsed.name);
  if (!record || record.token !== parsed.token) return;
  const consistent =
    record.engine === result.engine &&
    record.ref === result.ref &&
    (record.image === undefined || record.image === result.image) &&
    result.parents.every((p) => isConfirmed(dir, p));
  if (!consistent) return retire(dir, parsed.name, record);
  if (record.image === undefined) writeRecord(dir, parsed.name, { ...record, image: result.image });
}

/** A run whose result says nothing about the image (a dry run): whatever Nx keeps of it is never looked up. */
export function retireState(dir: string, value: string | undefined): void {
  const parsed = parseValue(value);
  if (!parsed) return;
  const record = readRecord(dir, parsed.name);
  if (record && record.token === parsed.token) retire(dir, parsed.name, record);
}

function isConfirmed(dir: string, value: string): boolean {
  const parsed = parseValue(value);
  const record = parsed && readRecord(dir, parsed.name);
  return !!record && record.token === parsed?.token && record.image !== undefined;
}

function retire(dir: string, name: string, record: ImageRecord): void {
  writeRecord(dir, name, { engine: record.engine, ref: record.ref, token: randomUUID() });
}

function valueOf(name: string, token: string): string {
  return `${name}.${token}`;
}

function parseValue(value: string | undefined): { name: string; token: string } | undefined {
  const match = /^([0-9a-f]{40})\.([0-9a-f-]{36})$/.exec(value ?? '');
  return match ? { name: match[1] ?? '', token: match[2] ?? '' } : undefined;
}

export function digest(parts: readonly string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 40);
}

function readRecord(dir: string, name: string): ImageRecord | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, name), 'utf8')) as ImageRecord;
  } catch {
    return undefined;
  }
}

const pruned = new Set<string>();

function writeRecord(dir: string, name: string, record: ImageRecord): void {
  mkdirSync(dir, { recursive: true });
  if (!pruned.has(dir)) {
    pruned.add(dir);
    pruneOld(dir);
  }
  const temp = join(dir, `.${name}.${process.pid}.${randomUUID()}.tmp`);
  writeFileSync(temp, JSON.stringify(record));
  renameSync(temp, join(dir, name));
}

/** Records of inputs nobody has built for weeks only take space: dropped once the folder grows. */
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
