/**
 * What every executor does the same way: read the workspace's docker side from the executor
 * context through the conventions library, and turn library errors into one clear line.
 */
import { join } from 'node:path';
import { logger, type ExecutorContext } from '@nx/devkit';
import { buildAll } from '../lib/build';
import { describeError, describeWarning, DockconvError } from '../lib/errors';
import type { DockerProject, NamingOptions } from '../lib/project';
import { loadWorkspaceImages, type WorkspaceImages } from '../lib/workspace';
import { imageRecordPath, normalizePluginOptions, pluginOptionsFrom, type DockconvPluginOptions } from '../plugin/options';

export interface ExecutorWorkspace extends WorkspaceImages {
  project: DockerProject;
}

/** Plugin options as registered in nx.json, so executors name images as inference did. */
export function pluginOptionsOf(context: ExecutorContext): DockconvPluginOptions {
  return pluginOptionsFrom(context.nxJsonConfiguration);
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
  const project = workspace.projects.get(name);
  if (!project) throw new DockconvError(`project ${name} has no docker/<image>/Dockerfile and no docker/run.cfg`);
  for (const warning of project.runConfig.warnings) logger.warn(`warning: ${describeWarning(warning)}`);
  return { ...workspace, project };
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
 * does), so that it can be run or pushed.
 */
export async function buildImageType(workspace: ExecutorWorkspace, type: string | undefined, dryRun: boolean): Promise<boolean> {
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
    ...(type === undefined ? {} : { image: type }),
    parallel: 2,
    ranByNx: new Set(),
  });
}
