/**
 * What every executor does the same way: read the workspace's docker side from the executor
 * context through the conventions library, and turn library errors into one clear line.
 */
import { readFileSync } from 'node:fs';
import { logger, type ExecutorContext } from '@nx/devkit';
import { buildAll } from '../lib/image-build';
import { settleBuildSettings, settleSharing, type Sharing } from '../lib/image-build/settings';
import { describeError, describeWarning, DockconvError } from '../lib/errors';
import type { DockerProject, NamingOptions } from '../lib/model/project';
import { loadWorkspaceImages, usableProject, type WorkspaceImages } from '../lib/model/workspace';
import { namingLayerOf, normalizePluginOptions, pluginOptionsFrom, type DockconvPluginOptions } from '../plugin/options';

export interface ExecutorWorkspace extends WorkspaceImages {
  project: DockerProject;
  /** Where builds are shared with other machines, and whether this one pushes there. */
  sharing: Sharing;
}

/** Plugin options as registered in nx.json, so executors name images as inference did. */
export function pluginOptionsOf(context: ExecutorContext): DockconvPluginOptions {
  return pluginOptionsFrom(context.nxJsonConfiguration);
}
/**
 * The executor's project and the workspace's images, named as inference named them; `sharing`:
 * the executor's own shared-build options, over the environment and the plugin options.
 */
export function loadExecutorWorkspace(context: ExecutorContext, overrides: NamingOptions['overrides'] = {}, sharing: { registry?: string; push?: boolean } = {}): ExecutorWorkspace {
  const name = context.projectName;
  if (!name) throw new DockconvError('no project in the executor context');
  const plugin = normalizePluginOptions(pluginOptionsOf(context));
  const locations = Object.entries(context.projectsConfigurations.projects).map(([n, p]) => ({ name: n, root: p.root }));
  const workspace = loadWorkspaceImages(context.root, locations, {
    plugin: namingLayerOf(plugin),
    env: process.env,
    overrides,
  });
  const project = usableProject(workspace, name);
  if (!project) throw new DockconvError(`project ${name} has no docker/<image>/Dockerfile and no docker/run.cfg`);
  if (reportsForProject(context)) for (const warning of project.runConfig.warnings) logger.warn(`warning: ${describeWarning(warning)}`);
  return { ...workspace, project, sharing: settleSharing(sharing, process.env, plugin) };
}

/** Nx 24 lists task dependencies as `{ id }` edges, Nx 23 as plain ids. */
export function edgeId(edge: string | { id: string }): string {
  return typeof edge === 'string' ? edge : edge.id;
}

/**
 * One command runs several tasks of a project (one per image, plus the aggregate), each reading
 * run.cfg: only one of them, the first of the project's tasks that needs none of its others, prints its
 * warnings, so each appears once per command.
 */
function reportsForProject(context: ExecutorContext): boolean {
  const graph = context.taskGraph;
  const current = Object.values(graph?.tasks ?? {}).find((t) => t.target.project === context.projectName && t.target.target === context.targetName);
  if (!graph || !current) return true;
  const own = Object.values(graph.tasks).filter((t) => t.target.project === context.projectName).map((t) => t.id);
  const depsOf = (id: string): string[] => (graph.dependencies[id] ?? []).map(edgeId);
  const roots = own.filter((id) => !depsOf(id).some((d) => own.includes(d))).sort();
  return roots.length === 0 || roots[0] === current.id;
}

/**
 * `nx run p:docker-build:dve` names a configuration the target does not have. Nx then drops it
 * without a word and runs the target with its defaults (every image), and no task sees the name;
 * so it is read from the nx command line itself (its pid is in NX_INVOCATION_ANCESTOR_PIDS) and
 * refused, naming it and the images there are, before anything is built.
 */
export function assertKnownConfiguration(project: DockerProject, targets: readonly string[], images: readonly string[]): void {
  const asked = commandLineTarget(process.env);
  if (!asked?.configuration || asked.project !== project.name || !targets.includes(asked.target)) return;
  if (!images.includes(asked.configuration)) {
    throw new DockconvError(`${asked.project}:${asked.target} has no configuration '${asked.configuration}'`, { hint: `images: ${images.join(', ') || 'none'}` });
  }
}

/** `project:target:configuration` (or `-c`) of the nx command that started this task, where readable. */
export function commandLineTarget(env: NodeJS.ProcessEnv): { project: string; target: string; configuration?: string } | undefined {
  const pid = (env['NX_INVOCATION_ANCESTOR_PIDS'] ?? '').split(',')[0];
  if (!pid) return undefined;
  let argv: string[];
  try {
    argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return undefined;
  }
  return parseTargetArgs(argv.slice(argv.findIndex((a) => /(^|\/)nx(\.js)?$/.test(a)) + 1));
}

export function parseTargetArgs(args: readonly string[]): { project: string; target: string; configuration?: string } | undefined {
  const rest = args[0] === 'run' ? args.slice(1) : args;
  const spec = rest[0];
  if (!spec || spec.startsWith('-') || !spec.includes(':')) return undefined;
  const [project = '', target = '', ...config] = spec.split(':');
  const flag = rest.findIndex((a) => a === '-c' || a === '--configuration' || /^(-c|--configuration)=/.test(a));
  const fromFlag = flag < 0 ? undefined : (rest[flag]?.includes('=') ? rest[flag]?.split('=').slice(1).join('=') : rest[flag + 1]);
  const configuration = config.length ? config.join(':') : fromFlag;
  return { project, target, ...(configuration ? { configuration } : {}) };
}

/** Runs an executor body; a failure becomes one `error:` line and `success: false`. */
export async function reportErrors(body: () => Promise<boolean>): Promise<{ success: boolean }> {
  try {
    return { success: await body() };
  } catch (err) {
    logger.error(`error: ${describeError(err)}`);
    if (!(err instanceof DockconvError) && process.env['DOCKCONV_DEBUG']) logger.error(String((err as Error).stack));
    return { success: false };
  }
}

/**
 * Builds an image type (or, without one, all of the project's) and whatever it derives from that
 * is missing or stale, through the build library (what `nx run <project>:docker-build --image=<type>`
 * does), so that it can be run or pushed. `builtHereOnly` is for publishing: see BuildSettings.
 */
export async function buildImageType(workspace: ExecutorWorkspace, type: string | undefined, dryRun: boolean, builtHereOnly = false): Promise<boolean> {
  return buildAll({
    ...settleBuildSettings({ workspace, env: process.env, records: 'workspace', dryRun, builtHereOnly, sharing: workspace.sharing }),
    project: workspace.project,
    ...(type === undefined ? {} : { image: type }),
    parallel: 2,
    ranByNx: new Set(),
  });
}
