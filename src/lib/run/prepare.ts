/**
 * Gathers what the pure command builder needs: the image, whether the engine is remote, the
 * `{workdir}` (from Dockerfiles, else the engine), GPU flags (from the engine, only when asked
 * for), then builds the `docker run` command. The engine is reached through `EngineProbe`, so
 * tests can stand in for it.
 */
import { basename } from 'node:path';
import { currentUser } from '../model/naming';
import { findRunnableImage, type DockerProject, type ImageDef } from '../model/project';
import { imageReplacements } from '../text/replacements';
import { RUN_CONFIG_FILE } from '../model/run-config';
import type { WorkspaceImages } from '../model/workspace';
import { engineOf, type EngineInfo } from '../docker/engine';
import { buildRunCommand, gpuRequest, type RunCommand, type RunRequest } from './command';
import { isRemoteEngine, localGpuFacts } from './engine-host';
import { selectGpu, type HostGpuFacts } from './gpu';
import { workdirSource } from './workdir';

export interface EngineProbe {
  remote(env: NodeJS.ProcessEnv): boolean;
  info(env: NodeJS.ProcessEnv): Promise<EngineInfo>;
  localGpu(info: EngineInfo, env: NodeJS.ProcessEnv): HostGpuFacts;
  /** The image's configured working directory, or undefined when the engine lacks the image. */
  imageWorkdir(ref: string, env: NodeJS.ProcessEnv): Promise<string | undefined>;
}

export const realEngine: EngineProbe = {
  remote: isRemoteEngine,
  info: (env) => engineOf(env).info(),
  localGpu: localGpuFacts,
  imageWorkdir: (ref, env) => engineOf(env).imageWorkdir(ref),
};

export interface RunEnvironment {
  env: NodeJS.ProcessEnv;
  /** Where the user ran the command (`{cwd}`). */
  cwd: string;
  stdinIsTTY: boolean;
  now?: Date;
  user?: string;
}

export interface PreparedRun {
  image: ImageDef;
  command: RunCommand;
}

export async function prepareRun(
  workspace: WorkspaceImages,
  project: DockerProject,
  req: RunRequest,
  host: RunEnvironment,
  engine: EngineProbe = realEngine,
): Promise<PreparedRun> {
  const image = findRunnableImage(project, req.image);
  const remote = engine.remote(host.env);
  const user = host.user ?? currentUser(host.env);
  const workdir = await resolveWorkdir(workspace, image, req, host.env, engine);
  const replacements = imageReplacements(image, { workspaceRoot: workspace.workspaceRoot, user, cwd: host.cwd, workdir });
  const detectedGpu = await detectGpu(req, image, remote, project, host.env, engine);
  const command = buildRunCommand(req, {
    image,
    doc: project.runConfig.doc,
    remote,
    stdinIsTTY: host.stdinIsTTY,
    user,
    now: host.now ?? new Date(),
    env: host.env,
    replacements,
    ...(detectedGpu ? { detectedGpu } : {}),
    gpuEnvironment: isRunCfgEra(project),
  });
  return { image, command };
}

/** dockerutils read docker/run.cfg in its first era and docker/dockerutils.cfg later. */
function isRunCfgEra(project: DockerProject): boolean {
  return project.runConfig.file !== undefined && basename(project.runConfig.file) === basename(RUN_CONFIG_FILE);
}

async function detectGpu(
  req: RunRequest,
  image: ImageDef,
  remote: boolean,
  project: DockerProject,
  env: NodeJS.ProcessEnv,
  engine: EngineProbe,
): Promise<string[] | undefined> {
  if (gpuRequest(req, image, remote, project.runConfig.doc.file).kind !== 'detect') return undefined;
  const info = await engine.info(env);
  return selectGpu(info, remote ? undefined : engine.localGpu(info, env)).args;
}

/** Asks the engine only when a value uses `{workdir}` and the Dockerfiles do not tell. */
async function resolveWorkdir(
  workspace: WorkspaceImages,
  image: ImageDef,
  req: RunRequest,
  env: NodeJS.ProcessEnv,
  engine: EngineProbe,
): Promise<string | undefined> {
  const source = workdirSource(workspace.projects, workspace.graph, image);
  if ('workdir' in source) return source.workdir;
  return usesWorkdir(workspace, image, req) ? engine.imageWorkdir(source.inspect, env) : undefined;
}

/** Any value of the project's run.cfg (env sections included) or of the options mentions it. */
function usesWorkdir(workspace: WorkspaceImages, image: ImageDef, req: RunRequest): boolean {
  const doc = workspace.projects.get(image.project)?.runConfig.doc;
  const values = [...(doc?.sections.values() ?? [])].flatMap((s) => [...s.entries.values()].map((e) => e.value));
  return [...values, req.command ?? '', req.args ?? ''].some((v) => v.includes('{workdir}'));
}
