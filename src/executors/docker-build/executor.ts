/**
 * `docker-build`: per-image task when `imageType` is set (what the inferred
 * `docker-build-<image>` targets do), else the aggregate over the project's images. Options are
 * normalised here; the work is in src/lib/image-build.
 */
import type { ExecutorContext } from '@nx/devkit';
import { buildAll, buildTask } from '../../lib/image-build';
import { parseBuildArgsOption } from '../../lib/image-build/build-args';
import { mergeMounts, parseMounts, type BuildMounts } from '../../lib/image-build/build-mounts';
import { settleBuildSettings } from '../../lib/image-build/settings';
import { recordImageStates } from '../../lib/cache/record-states';
import { DockconvError } from '../../lib/errors';
import { imageId } from '../../lib/model/graph';
import { parsePlatforms } from '../../lib/model/platform';
import { assertValidTag } from '../../lib/model/naming';
import { applyNameOption, buildableImages } from '../../lib/model/project';
import { imageBuildTarget } from '../../lib/model/conventions';
import { normalizePluginOptions } from '../../plugin/options';
import { assertKnownConfiguration, loadExecutorWorkspace, pluginOptionsOf, reportErrors, type ExecutorWorkspace } from '../shared';
import type { DockerBuildExecutorSchema } from './schema';

export default async function dockerBuildExecutor(options: DockerBuildExecutorSchema, context: ExecutorContext): Promise<{ success: boolean }> {
  return reportErrors(async () => {
    if (options.tag !== undefined) assertValidTag(options.tag, { file: '--tag' });
    const workspace = loadExecutorWorkspace(context, options.tag ? { tag: options.tag } : {}, { registry: options.sharedRegistry, push: options.sharedPush });
    const plugin = normalizePluginOptions(pluginOptionsOf(context));
    const built = buildableImages(workspace.project).map((i) => i.type);
    assertKnownConfiguration(workspace.project, [plugin.buildTargetName, ...built.map((t) => imageBuildTarget(plugin, t))], built);
    applyNameOption(workspace.project, options.name, options);
    const states = recordImageStates(context.root, workspace.graph, process.env);
    const settings = settleBuildSettings({
      workspace,
      env: process.env,
      records: 'workspace',
      dryRun: options.dryRun,
      noCache: options.noCache,
      pull: options.pull,
      forceBase: options.forceBase,
      buildArgs: parseBuildArgsOption(options.buildArgs, process.env),
      mounts: mountsOption(options, workspace.workspaceRoot),
      ...(options.platforms === undefined ? {} : { platforms: parsePlatforms([options.platforms].flat().join(','), { file: '--platforms' }) }),
      sharing: workspace.sharing,
      onEnsured: states.ensured,
    });
    const parallel = parallelOf(options.concurrentBuilds);
    if (options.imageType) {
      const outcome = await buildTask({ ...settings, project: workspace.project, imageType: options.imageType, ...(options.image ? { image: options.image } : {}) });
      if (settings.dryRun) states.dryRun(workspace.project.name, options.imageType);
      else if (outcome.image && outcome.engine) states.left(workspace.project.name, options.imageType, outcome.image, outcome.engine);
      return true;
    }
    const success = await buildAll({
      ...settings,
      project: workspace.project,
      ...(options.image ? { image: options.image } : {}),
      parallel,
      ranByNx: ranByNx(workspace, context),
    });
    if (settings.dryRun) states.dryRunAll(workspace.project.name);
    else states.confirmEnsured();
    return success;
  });
}

/** The `secrets` and `ssh` options; relative paths start at the workspace root, where nx runs builds. */
function mountsOption(options: DockerBuildExecutorSchema, root: string): BuildMounts {
  const list = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
  const paths = { base: root, cwd: root };
  return mergeMounts(parseMounts(secretSpecs(list(options.secrets)), [], paths, process.env, { file: '--secrets' }), parseMounts([], list(options.ssh), paths, process.env, { file: '--ssh' }));
}

/**
 * Nx splits an option's value at commas (`--secrets=id=a,src=f` arrives as two items); a secret
 * starts at each `id=` after the first of a spec, so the items are joined back into specs.
 */
export function secretSpecs(items: readonly string[]): string[] {
  const specs: string[][] = [];
  for (const part of items.flatMap((item) => item.split(','))) {
    const current = specs[specs.length - 1];
    if (!current || (part.startsWith('id=') && current.some((p) => p.startsWith('id=')))) specs.push([part]);
    else current.push(part);
  }
  return specs.map((parts) => parts.join(','));
}

export function parallelOf(value: number | undefined, fallback = 2): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) throw new DockconvError(`--concurrentBuilds must be a whole number ≥ 1, not ${value}`);
  return value;
}

/** Per-image tasks of this project in the running task graph: Nx has run them before us. */
function ranByNx(workspace: ExecutorWorkspace, context: ExecutorContext): Set<string> {
  const tasks = context.taskGraph?.tasks ?? {};
  const options = normalizePluginOptions(pluginOptionsOf(context));
  const ran = new Set<string>();
  for (const task of Object.values(tasks)) {
    for (const node of workspace.graph.values()) {
      const { project, type } = node.image;
      if (task.target.project === project && task.target.target === imageBuildTarget(options, type)) ran.add(imageId(project, type));
    }
  }
  return ran;
}
