/**
 * `publish`: pushes a project's images to a registry. Also what the inferred
 * `nx-release-publish` target runs (`release: true`), so `nx release publish` pushes the
 * release's version. Options are normalised here; the work is in src/lib/publish.
 */
import { logger, type ExecutorContext } from '@nx/devkit';
import { imageId } from '../../lib/model/graph';
import { provenanceOf } from '../../lib/publish/provenance';
import { publishProject } from '../../lib/publish';
import { assertValidTag } from '../../lib/model/naming';
import { normalizePluginOptions } from '../../plugin/options';
import { buildImageType, loadExecutorWorkspace, pluginOptionsOf, reportErrors } from '../shared';
import type { PublishExecutorSchema } from './schema';

export default async function publishExecutor(options: PublishExecutorSchema, context: ExecutorContext): Promise<{ success: boolean }> {
  return reportErrors(async () => {
    // nx release publish sets NX_DRY_RUN for tasks it reaches indirectly too.
    const dryRun = options.dryRun === true || process.env['NX_DRY_RUN'] === 'true';
    // `--tag=2` reaches here as a number: Nx parses option values.
    const tag = options.tag === undefined ? undefined : assertValidTag(String(options.tag), { file: '--tag' });
    const workspace = loadExecutorWorkspace(context);
    const plugin = normalizePluginOptions(pluginOptionsOf(context));
    const trustShared = options.trustShared === true;
    return publishProject(
      workspace.project,
      {
        release: options.release === true,
        ...(tag !== undefined ? { tag } : {}),
        ...(options.nxReleaseVersionData ? { versionData: options.nxReleaseVersionData } : {}),
        ...(options.image !== undefined ? { image: options.image } : {}),
        ...(options.registry !== undefined ? { registry: options.registry } : {}),
        ...(options.repository !== undefined ? { repository: options.repository } : {}),
        ...(plugin.registry !== undefined ? { pluginRegistry: plugin.registry } : {}),
        latest: options.latest === true,
        extraTags: (options.tags ?? []).map(String),
      },
      {
        workspaceRoot: workspace.workspaceRoot,
        dryRun,
        env: process.env,
        print: (line) => process.stdout.write(`${line}\n`),
        log: (line) => logger.info(line),
        build: (image) => buildImageType(workspace, image, dryRun, !trustShared),
        trustShared,
        provenance: (image) => provenanceOf(workspace.graph, process.env, imageId(image.project, image.type)),
      },
    );
  });
}
