/**
 * What every executor does the same way: read the workspace's docker side from the executor
 * context through the conventions library, and turn library errors into one clear line.
 */
import { join } from 'node:path';
import { logger, type ExecutorContext } from '@nx/devkit';
import { buildAll } from '../lib/build';
import { describeError, describeWarning, DockconvError } from '../lib/errors';
import { findImage, type DockerProject, type NamingOptions } from '../lib/project';
import { loadWorkspaceImages, usableProject, type WorkspaceImages } from '../lib/workspace';
import { imageRecordPath, normalizePluginOptions, type DockconvPluginOptions } from '../plugin/options';

export interface ExecutorWorkspace extends WorkspaceImages {
  project: DockerProject;
}

/** Plugin options as registered in nx.json, so executors name images as inference did. */
export function pluginOptionsOf(context: ExecutorContext): DockconvPluginOptions {
  for (const entry of context.nxJsonConfiguration?.plugins ?? []) {
    if (typeof entry === 'object' && entry.plugin === '@dockconv/nx') return (entry.options ?? {}) as DockconvPluginOptions;
  }
  return {};
}

export function loadExecutorWorkspace(context: ExecutorContext, overrides: NamingOptions['overrides'] = {}): ExecutorWorkspace {
  const name = context.projectName;
  if (!name) throw new DockconvError('no project in the executor context');
  const plugin = normalizePluginOptions(pluginOptionsOf(context));
  const locations = Object.entries(context.projectsConfigurations.projects).map(([n, p]) => ({ name: n, root: p.root }));
  const workspace = loadWorkspaceImages(context.root, locations, {
    plugin: { tag: plugin.tag, prefix: plugin.prefix },
    env: process.env,
    overrides,
  });
  const project = usableProject(workspace, name);
  if (!project) throw new DockconvError(`project ${name} has no docker/<image>/Dockerfile and no docker/run.cfg`);
  if (reportsForProject(context)) for (const warning of project.runConfig.warnings) logger.warn(`warning: ${describeWarning(warning)}`);
  return { ...workspace, project };
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
  // Nx 24 lists dependencies as `{ id }` edges, Nx 23 as plain ids.
  const depsOf = (id: string): string[] => (graph.dependencies[id] ?? []).map((d: string | { id: string }) => (typeof d === 'string' ? d : d.id));
  const roots = own.filter((id) => !depsOf(id).some((d) => own.includes(d))).sort();
  return roots.length === 0 || roots[0] === current.id;
}

/**
 * `nx run p:docker-build:dve` names a configuration the target does not have; Nx runs the target
 * with its defaults then (every image), so the misspelling is caught here, in whichever of the
 * project's tasks runs first, naming it and the images there are.
 */
export function assertKnownConfiguration(project: DockerProject, context: ExecutorContext): void {
  const types = project.images.map((i) => i.type);
  const asked = [context.configurationName, ...Object.values(context.taskGraph?.tasks ?? {}).filter((t) => t.target.project === project.name).map((t) => t.target.configuration)];
  const unknown = asked.find((c): c is string => c !== undefined && !types.includes(c));
  if (unknown !== undefined) findImage(project, unknown);
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
 * Builds an image type and whatever it derives from that is missing or stale, through the build
 * library (what `nx run <project>:docker-build --image=<type>` does), so that it can be run.
 */
export async function buildImageType(workspace: ExecutorWorkspace, type: string, dryRun: boolean): Promise<boolean> {
  return buildAll({
    workspaceRoot: workspace.workspaceRoot,
    graph: workspace.graph,
    projects: workspace.projects,
    env: process.env,
    dryRun,
    noCache: false,
    pull: false,
    forceBase: false,
    buildArgs: new Map(),
    recordPath: (image) => join(workspace.workspaceRoot, imageRecordPath(image.projectRoot, image.type)),
    print: (line) => process.stdout.write(`${line}\n`),
    project: workspace.project,
    image: type,
    parallel: 2,
    ranByNx: new Set(),
  });
}
