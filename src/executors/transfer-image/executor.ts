/**
 * `transfer-image` (SPEC §4): sends images to a Docker host without a registry, only the layers
 * it lacks. The work is in src/lib/transfer; this file turns options into a request and errors
 * into one line.
 */
import { logger, type ExecutorContext } from '@nx/devkit';
import { DockconvError, describeError } from '../../lib/errors';
import { progressMode } from '../../lib/transfer/progress';
import { transferImages } from '../../lib/transfer/transfer';
import type { TransferImageExecutorSchema } from './schema';

/**
 * INTEGRATION POINT (type → reference): an `image` value that is one of this project's image
 * types (`base`, `dev`, …) must become its reference `<project>-<image>:<tag>` through the shared
 * conventions library (src/lib/naming.ts / src/lib/project.ts). Until that is wired in, every
 * value is used as an image reference as given.
 */
export function resolveImageRefs(options: TransferImageExecutorSchema, _context: ExecutorContext): string[] {
  const values = Array.isArray(options.image) ? options.image : [options.image];
  const refs = values.map((v) => (typeof v === 'string' ? v.trim() : '')).filter((v) => v !== '');
  if (refs.length === 0) throw new DockconvError('transfer-image needs an image', { hint: 'set --image=<type or name:tag>' });
  return refs;
}

export default async function transferImageExecutor(
  options: TransferImageExecutorSchema,
  context: ExecutorContext,
): Promise<{ success: boolean }> {
  try {
    if (!options.to) throw new DockconvError('transfer-image needs a destination', { hint: 'set --to=<context|ssh://user@host|tcp://…|unix://…>' });
    await transferImages({
      images: resolveImageRefs(options, context),
      to: options.to,
      full: options.full === true,
      dryRun: options.dryRun === true,
      log: (line) => logger.info(line),
      progress: progressMode(),
    });
    return { success: true };
  } catch (err) {
    logger.error(describeError(err));
    return { success: false };
  }
}
