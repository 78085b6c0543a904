/**
 * `transfer-image`: sends images to a Docker host without a registry, only the layers
 * it lacks. The work is in src/lib/transfer; this file turns options into a request and errors
 * into one line.
 */
import { logger, type ExecutorContext } from '@nx/devkit';
import { DockconvError } from '../../lib/errors';
import type { ImageDef } from '../../lib/model/project';
import { hasDockerTree } from '../../lib/model/workspace';
import { normalizePluginOptions } from '../../plugin/options';
import { ensureImage } from '../../lib/run/ensure-image';
import { progressMode } from '../../lib/transfer/progress';
import { transferImages } from '../../lib/transfer/transfer';
import { buildImageType, loadExecutorWorkspace, pluginOptionsOf, reportErrors, type ExecutorWorkspace } from '../shared';
import type { TransferImageExecutorSchema } from './schema';

/**
 * The type → reference step: a bare `image` value that names an image of this project (`base`,
 * `dev`, a synthetic or configuration-only image) becomes its reference `<project>-<image>:<tag>`
 * through the shared conventions library, named exactly as docker-build names it. Anything else
 * is an image reference (`name:tag`, an ID) used as given.
 */
export function resolveImageRefs(options: TransferImageExecutorSchema, context: ExecutorContext): string[] {
  return resolveImages(options, context).refs;
}

interface ResolvedImages {
  refs: string[];
  /** The project's own images among them: ensured on the engine before sending. */
  own: ImageDef[];
  workspace?: ExecutorWorkspace;
}

function resolveImages(options: TransferImageExecutorSchema, context: ExecutorContext): ResolvedImages {
  const values = (Array.isArray(options.image) ? options.image : [options.image ?? ''])
    .map((v) => (typeof v === 'string' ? v.trim() : ''))
    .filter((v) => v !== '');
  if (values.length === 0) throw new DockconvError('transfer-image needs an image', { hint: 'set --image=<image type or name:tag>' });
  if (!values.some((v) => BARE.test(v)) || !projectHasDockerTree(context)) return { refs: values, own: [] };
  const workspace = loadExecutorWorkspace(context);
  const own = values.flatMap((v) => workspace.project.images.filter((i) => i.type === v));
  return { refs: values.map((v) => own.find((i) => i.type === v)?.name.ref ?? v), own, workspace };
}

/**
 * A cache hit must never leave the user without the image. A project
 * image missing on the engine is built (with whatever it derives from) before it is sent.
 */
async function ensureOwnImages(resolved: ResolvedImages, context: ExecutorContext, dryRun: boolean): Promise<void> {
  const { workspace } = resolved;
  if (!workspace) return;
  for (const image of resolved.own) {
    await ensureImage(image, {
      build: true,
      dryRun,
      env: process.env,
      buildTarget: normalizePluginOptions(pluginOptionsOf(context)).buildTargetName,
      buildImage: (type) => buildImageType(workspace, type, dryRun),
      warn: (line) => logger.warn(line),
    });
  }
}

/** What could be an image type: no registry, tag, digest or path parts. */
const BARE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

function projectHasDockerTree(context: ExecutorContext): boolean {
  const root = context.projectName ? context.projectsConfigurations?.projects[context.projectName]?.root : undefined;
  return root !== undefined && hasDockerTree(context.root, root);
}

export default async function transferImageExecutor(
  options: TransferImageExecutorSchema,
  context: ExecutorContext,
): Promise<{ success: boolean }> {
  return reportErrors(async () => {
    if (!options.to) {
      throw new DockconvError('transfer-image needs a destination', { hint: 'set --to=<context|ssh://user@host|user@host|tcp://…|unix://…>' });
    }
    const resolved = resolveImages(options, context);
    await ensureOwnImages(resolved, context, options.dryRun === true);
    await transferImages({
      images: resolved.refs,
      to: options.to,
      full: options.full === true,
      compress: options.compress ?? 'auto',
      dryRun: options.dryRun === true,
      log: (line) => logger.info(line),
      progress: progressMode(),
    });
    return true;
  });
}
