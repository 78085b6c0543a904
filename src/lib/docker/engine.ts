/**
 * The engine seam: every question the features ask the Docker engine and every command they
 * give it goes through `Engine` (a transfer's streams between two engines go through
 * `EngineApi`). Both go through the same docker CLI, so DOCKER_HOST, Docker contexts and the
 * system ssh (with ProxyJump and ~/.ssh/config) apply alike. Commands the user should see (build,
 * run, tag, push, pull, rmi) are printed first (cli.ts); questions change nothing and are not
 * printed. Only what the CLI cannot do cheaply is an Engine API request: the whole `GET /info`
 * for GPUs, and a container stop that must leave before Nx kills this process. Tests hand a
 * feature a real engine (`engineOf(env)`), one behind a recorded docker CLI (DOCKCONV_DOCKER), or
 * any object of this shape.
 */
import { DockconvError } from '../errors';
import type { Platform } from '../model/platform';
import { runProcess, type ProcessResult } from '../system/process';
import type { Arg } from '../text/shown';
import { docker, dockerBinary, dockerDetached, showCommand, type DockerCommandOptions, type DockerCommandResult } from './cli';
import { currentEngine, statusOf } from './endpoint';
import type { EngineApi, EngineInfo } from './engine-api';
import { imageStoreFromInfo, type ImageStore } from './image-store';

/** How images are built: BuildKit (through buildx on clients from 23) or the legacy builder. */
export type Builder = 'buildkit' | 'legacy';

export interface ImageState {
  id: string;
  labels: Record<string, string>;
}

/** The engine's own platform and where it keeps images. */
export interface EngineFacts {
  os: string;
  architecture: string;
  store: ImageStore;
}

export type { EngineInfo };

export interface Engine {
  /** The engine's ID; an engine that does not answer is an error with a hint. */
  id(): Promise<string>;
  /** The ID, and which image ID each `repository:tag` carrying `label` points at; undefined when no engine answers. */
  labelledImages(label: string): Promise<{ engine: string; images: Map<string, string> } | undefined>;
  facts(): Promise<EngineFacts>;
  info(): Promise<EngineInfo>;
  /** BuildKit when the client can drive it; see detectBuilder. */
  builder(): Promise<Builder>;
  /** undefined when the engine does not hold the image. */
  inspectImage(ref: string): Promise<ImageState | undefined>;
  /** The platform an image is for (its default one, for a multi-platform image); undefined when it is not there. */
  imagePlatform(ref: string): Promise<Platform | undefined>;
  /** The image's configured working directory, or undefined when the engine lacks the image. */
  imageWorkdir(ref: string): Promise<string | undefined>;
  /** Stops a container; one already stopped or removed is no error. */
  stopContainer(name: string, seconds: number): Promise<void>;
  /** A docker command the user sees: printed as one copy-pasteable line, then run (cli.ts). */
  command(args: readonly Arg[], opts?: CommandOptions): Promise<DockerCommandResult>;
  /** Prints a docker command without running it. */
  show(args: readonly Arg[], opts?: Pick<CommandOptions, 'print' | 'prefix'>): void;
  /** A docker command that outlives this process (a stop sent while Nx kills the task), shown nowhere. */
  detached(args: readonly string[]): Promise<void>;
}

export type CommandOptions = Omit<DockerCommandOptions, 'env'>;

/** The engine the docker CLI would use now, under this environment. */
export function engineOf(env: NodeJS.ProcessEnv = process.env): Engine {
  const query = (args: readonly string[]) => runProcess(dockerBinary(env), args, { env });
  return {
    id: () => engineId(query),
    labelledImages: (label) => labelledImages(query, label),
    facts: () => engineFacts(query),
    info: () => engineInfo(env),
    builder: () => detectBuilder(query, env),
    inspectImage: (ref) => inspectImage(query, ref),
    imagePlatform: (ref) => imagePlatform(query, ref),
    imageWorkdir: (ref) => imageWorkdir(query, ref),
    stopContainer: (name, seconds) => stopContainer(name, seconds, env),
    command: (args, opts = {}) => docker(args, { ...opts, env }),
    show: (args, opts = {}) => showCommand(args, { ...opts, env }),
    detached: (args) => dockerDetached(args, env),
  };
}

type Query = (args: readonly string[]) => Promise<ProcessResult>;

const ENGINE_ID = ['info', '--format', '{{.ID}}'];

async function engineId(query: Query): Promise<string> {
  const result = await query(ENGINE_ID);
  if (result.exitCode !== 0 || !result.stdout) {
    throw new DockconvError(`cannot reach the Docker engine: ${firstLine(result.stderr) || `docker info exited ${result.exitCode}`}`, {
      hint: 'is dockerd running, and DOCKER_HOST / the Docker context right?',
    });
  }
  return result.stdout;
}

/** Two queries whatever the number of images: what a no-op costs. */
async function labelledImages(query: Query, label: string): Promise<{ engine: string; images: Map<string, string> } | undefined> {
  const [info, list] = await Promise.all([
    query(ENGINE_ID),
    query(['image', 'ls', '--no-trunc', '--filter', `label=${label}`, '--format', '{{.Repository}}:{{.Tag}}\t{{.ID}}']),
  ]);
  if (info.exitCode !== 0 || !info.stdout || list.exitCode !== 0) return undefined;
  return { engine: info.stdout, images: parseImageList(list.stdout) };
}

/** Lines of `repository:tag<TAB>id`; untagged images (`<none>`) name no reference. */
export function parseImageList(text: string): Map<string, string> {
  const images = new Map<string, string>();
  for (const line of text.split('\n')) {
    const [ref, id] = line.trim().split('\t');
    if (!ref || !id || ref.includes('<none>')) continue;
    images.set(ref, id);
  }
  return images;
}

async function inspectImage(query: Query, ref: string): Promise<ImageState | undefined> {
  const result = await inspected(query, ref, '{{json .Id}}\t{{json .Config.Labels}}');
  if (result === undefined) return undefined;
  const [id, labels] = result.split('\t');
  return { id: JSON.parse(id ?? '""') as string, labels: (JSON.parse(labels ?? 'null') as Record<string, string> | null) ?? {} };
}

async function imagePlatform(query: Query, ref: string): Promise<Platform | undefined> {
  const result = await inspected(query, ref, '{{.Os}}\t{{.Architecture}}\t{{.Variant}}');
  if (result === undefined) return undefined;
  const [os = 'linux', architecture = '', variant = ''] = result.split('\t');
  return { os, architecture, ...(variant ? { variant } : {}) };
}

/** An image without a WORKDIR runs in `/`; an image the engine cannot show has none to offer. */
async function imageWorkdir(query: Query, ref: string): Promise<string | undefined> {
  const result = await query(['image', 'inspect', '--format', '{{json .Config.WorkingDir}}', ref]);
  return result.exitCode === 0 ? (JSON.parse(result.stdout || '""') as string) || '/' : undefined;
}

/** `docker image inspect --format`: undefined for no such image, an error for anything else. */
async function inspected(query: Query, ref: string, format: string): Promise<string | undefined> {
  const result = await query(['image', 'inspect', '--format', format, ref]);
  if (result.exitCode === 0) return result.stdout;
  if (/no such image|not found/i.test(result.stderr)) return undefined;
  throw new DockconvError(`cannot inspect ${ref}: ${result.stderr || `exit ${result.exitCode}`}`);
}

async function engineFacts(query: Query): Promise<EngineFacts> {
  const result = await query(['info', '--format', '{{json .OSType}}\t{{json .Architecture}}\t{{json .DriverStatus}}']);
  if (result.exitCode !== 0) throw new DockconvError(`cannot ask the Docker engine: ${firstLine(result.stderr) || `docker info exited ${result.exitCode}`}`);
  const [os, architecture, status] = result.stdout.split('\t').map((part) => JSON.parse(part || 'null') as unknown);
  return { os: String(os ?? 'linux'), architecture: String(architecture ?? ''), store: imageStoreFromInfo({ DriverStatus: status as string[][] | null }) };
}

/** The Engine API of the current engine, loading dockerode only now. */
async function currentEngineApi(env: NodeJS.ProcessEnv): Promise<EngineApi> {
  const { openEngineApi } = await import('./engine-api.js');
  return openEngineApi(currentEngine(env));
}

async function engineInfo(env: NodeJS.ProcessEnv): Promise<EngineInfo> {
  const api = await currentEngineApi(env);
  try {
    return await api.info();
  } catch (err) {
    if (err instanceof DockconvError) throw err;
    throw new DockconvError(`cannot reach the Docker engine at ${api.endpoint.host}: ${(err as Error).message}`, {
      hint: 'is dockerd running, and DOCKER_HOST / the Docker context right?',
    });
  } finally {
    api.close();
  }
}

/**
 * A request from this process rather than a `docker stop` child: the engine finishes a stop it
 * has received even when the client is gone, which is what a Ctrl-C needs, since Nx then kills
 * the task's whole process tree.
 */
async function stopContainer(name: string, seconds: number, env: NodeJS.ProcessEnv): Promise<void> {
  const api = await currentEngineApi(env);
  try {
    await api.stopContainer(name, seconds);
  } catch (err) {
    // 304 (already stopped) and 404 (already removed by --rm) mean the work is done.
    const status = statusOf(err);
    if (status !== 304 && status !== 404) throw err;
  } finally {
    api.close();
  }
}

async function detectBuilder(query: Query, env: NodeJS.ProcessEnv): Promise<Builder> {
  const wanted = env['DOCKER_BUILDKIT'];
  if (wanted === '0' || wanted === 'false') return 'legacy';
  const can = await clientCanBuildKit(query);
  if (!can && (wanted === '1' || wanted === 'true')) {
    throw new DockconvError('DOCKER_BUILDKIT=1 but this docker client cannot use BuildKit (no buildx plugin)', {
      hint: 'install docker-buildx, or unset DOCKER_BUILDKIT to use the legacy builder',
    });
  }
  return can ? 'buildkit' : 'legacy';
}

async function clientCanBuildKit(query: Query): Promise<boolean> {
  const version = await query(['version', '--format', '{{.Client.Version}}']);
  const major = Number(/^(\d+)\./.exec(version.stdout)?.[1] ?? NaN);
  if (Number.isFinite(major) && major < 23) return true;
  const buildx = await query(['buildx', 'version']);
  return buildx.exitCode === 0;
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}
