/**
 * Read-only questions to the engine (image ID and labels, engine ID, builder support), asked
 * through the same docker CLI the builds use, so DOCKER_HOST and Docker contexts apply alike.
 * They change nothing, so unlike builds they are not printed.
 */
import { execFile } from 'node:child_process';
import { dockerBinary } from '../docker/cli';
import { DockconvError } from '../errors';
import { imageStoreFromInfo } from '../docker/image-store';
import type { Builder } from './command';
import type { EngineFacts } from './platforms';
import type { Platform } from '../platform';

export interface QueryResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * node's execFile rather than execa (exec.ts): an up-to-date check is a handful of these, and
 * loading execa would cost more than all of them in a task that builds nothing.
 */
export function query(args: readonly string[], env: NodeJS.ProcessEnv): Promise<QueryResult> {
  return new Promise((resolve) => {
    execFile(dockerBinary(env), args, { env, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      const missing = err?.code === 'ENOENT' ? `${dockerBinary(env)}: command not found` : '';
      resolve({ exitCode: code, stdout: stdout.trim(), stderr: stderr.trim() || missing });
    });
  });
}

export interface ImageState {
  id: string;
  labels: Record<string, string>;
}

export async function inspectImage(ref: string, env: NodeJS.ProcessEnv): Promise<ImageState | undefined> {
  const result = await query(['image', 'inspect', '--format', '{{json .Id}}\t{{json .Config.Labels}}', ref], env);
  if (result.exitCode !== 0) {
    if (/no such image|not found/i.test(result.stderr)) return undefined;
    throw new DockconvError(`cannot inspect ${ref}: ${result.stderr || `exit ${result.exitCode}`}`);
  }
  const [id, labels] = result.stdout.split('\t');
  return { id: JSON.parse(id ?? '""') as string, labels: (JSON.parse(labels ?? 'null') as Record<string, string> | null) ?? {} };
}

/** The engine's own platform and its image store, asked only for builds that name platforms. */
export async function engineFacts(env: NodeJS.ProcessEnv): Promise<EngineFacts> {
  const result = await query(['info', '--format', '{{json .OSType}}\t{{json .Architecture}}\t{{json .DriverStatus}}'], env);
  if (result.exitCode !== 0) throw new DockconvError(`cannot ask the Docker engine: ${firstLine(result.stderr) || `docker info exited ${result.exitCode}`}`);
  const [os, architecture, status] = result.stdout.split('\t').map((part) => JSON.parse(part || 'null') as unknown);
  return { os: String(os ?? 'linux'), architecture: String(architecture ?? ''), store: imageStoreFromInfo({ DriverStatus: status as string[][] | null }) };
}

/** The platform an image on the engine is for (its default one, for a multi-platform image), or undefined when it is not there. */
export async function imagePlatform(ref: string, env: NodeJS.ProcessEnv): Promise<Platform | undefined> {
  const result = await query(['image', 'inspect', '--format', '{{.Os}}\t{{.Architecture}}\t{{.Variant}}', ref], env);
  if (result.exitCode !== 0) {
    if (/no such image|not found/i.test(result.stderr)) return undefined;
    throw new DockconvError(`cannot inspect ${ref}: ${result.stderr || `exit ${result.exitCode}`}`);
  }
  const [os = 'linux', architecture = '', variant = ''] = result.stdout.split('\t');
  return { os, architecture, ...(variant ? { variant } : {}) };
}

export async function engineId(env: NodeJS.ProcessEnv): Promise<string> {
  const result = await query(['info', '--format', '{{.ID}}'], env);
  const id = result.stdout.trim();
  if (result.exitCode !== 0 || !id) {
    throw new DockconvError(`cannot reach the Docker engine: ${firstLine(result.stderr) || `docker info exited ${result.exitCode}`}`, {
      hint: 'is dockerd running, and DOCKER_HOST / the Docker context right?',
    });
  }
  return id;
}

/**
 * BuildKit when the client can drive it: a client before 23 has it built in, a newer one only
 * through the buildx plugin (without it `DOCKER_BUILDKIT=1` fails). DOCKER_BUILDKIT=0 asks for
 * the legacy builder; DOCKER_BUILDKIT=1 where it cannot work is an error, not a silent switch.
 */
export async function detectBuilder(env: NodeJS.ProcessEnv): Promise<Builder> {
  const wanted = env['DOCKER_BUILDKIT'];
  if (wanted === '0' || wanted === 'false') return 'legacy';
  const can = await clientCanBuildKit(env);
  if (!can && (wanted === '1' || wanted === 'true')) {
    throw new DockconvError('DOCKER_BUILDKIT=1 but this docker client cannot use BuildKit (no buildx plugin)', {
      hint: 'install docker-buildx, or unset DOCKER_BUILDKIT to use the legacy builder',
    });
  }
  return can ? 'buildkit' : 'legacy';
}

async function clientCanBuildKit(env: NodeJS.ProcessEnv): Promise<boolean> {
  const version = await query(['version', '--format', '{{.Client.Version}}'], env);
  const major = Number(/^(\d+)\./.exec(version.stdout.trim())?.[1] ?? NaN);
  if (Number.isFinite(major) && major < 23) return true;
  const buildx = await query(['buildx', 'version'], env);
  return buildx.exitCode === 0;
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}
