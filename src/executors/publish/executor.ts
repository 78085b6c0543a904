/**
 * `publish`: pushes a project's images to a registry. Also what the inferred
 * `nx-release-publish` target runs (`release: true`), so `nx release publish` pushes the
 * release's version. Options are normalised here; the work is in src/lib/publish.
 */
import { logger, type ExecutorContext } from '@nx/devkit';
import { planProjectPublish, publishVersion, pushPlan } from '../../lib/publish';
import { assertValidTag } from '../../lib/naming';
import { normalizePluginOptions } from '../../plugin/options';
import { buildImageType, loadExecutorWorkspace, pluginOptionsOf, reportErrors } from '../shared';
import type { PublishExecutorSchema } from './schema';

export default async function publishExecutor(options: PublishExecutorSchema, context: ExecutorContext): Promise<{ success: boolean }> {
  return reportErrors(async () => {
    const release = options.release === true;
    // nx release publish sets NX_DRY_RUN for tasks it reaches indirectly too.
    const dryRun = options.dryRun === true || process.env['NX_DRY_RUN'] === 'true';
    // `--tag=2` reaches here as a number: Nx parses option values.
    const tag = options.tag === undefined ? undefined : assertValidTag(String(options.tag), { file: '--tag' });
    const workspace = loadExecutorWorkspace(context);
    const { project } = workspace;
    const plugin = normalizePluginOptions(pluginOptionsOf(context));
    const version = await publishVersion({
      release,
      ...(tag !== undefined ? { tag } : {}),
      projectRootAbs: project.rootAbs,
      sources: {
        project: project.name,
        projectRoot: project.root,
        workspaceRoot: workspace.workspaceRoot,
        ...(options.nxReleaseVersionData ? { versionData: options.nxReleaseVersionData } : {}),
      },
    });
    if ('skip' in version) {
      logger.info(`${version.skip}: nothing to publish`);
      return true;
    }
    const { plans, notes } = planProjectPublish(project, {
      ...(options.image !== undefined ? { image: options.image } : {}),
      ...(options.registry !== undefined ? { registry: options.registry } : {}),
      ...(options.repository !== undefined ? { repository: options.repository } : {}),
      ...(plugin.registry !== undefined ? { pluginRegistry: plugin.registry } : {}),
      version: version.version,
      latest: options.latest === true,
      // Under nx release, --tag is npm's dist-tag: a moving tag beside the version.
      extraTags: [...(release && tag !== undefined ? [tag] : []), ...(options.tags ?? []).map(String)],
    });
    for (const note of notes) logger.info(note);
    logger.info(`publishing ${project.name} ${version.version} (from ${version.from}): ${plans.flatMap((p) => p.targets).join(', ')}`);
    // Builds what is missing or stale (and what it derives from), so only current images are pushed.
    if (!(await buildImageType(workspace, options.image, dryRun))) return false;
    const print = (line: string) => process.stdout.write(`${line}\n`);
    for (const plan of plans) {
      const pushed = await pushPlan(plan, { dryRun, env: process.env, cwd: workspace.workspaceRoot, print });
      if (!dryRun) for (const p of pushed) logger.info(`pushed ${p.ref}${p.digest ? ` (${p.digest})` : ''}`);
    }
    if (dryRun) logger.info('dry run: nothing was built, tagged or pushed');
    return true;
  });
}
