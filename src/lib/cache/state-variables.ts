/**
 * The environment variables that carry image states to Nx's hashing: each per-image build task
 * takes its image's variable and the scope variable as inputs. The plugin sets them once per
 * invocation, before Nx hashes any task; the executor reads them to confirm what its run left.
 */
import { createHash } from 'node:crypto';
import { imageId } from '../model/graph';

/**
 * Set on every invocation the plugin prepares: a constant when image states were taken, a value
 * never used before when they were not (no engine, a dry run, a command that builds no image),
 * so a task that runs anyway is never answered from the cache.
 */
export const STATE_SCOPE_VARIABLE = 'DOCKCONV_IMAGE_STATES';
export const STATES_TAKEN = 'engine';

/** The variable of one image: a digest, since project names may hold any character. */
export function stateVariable(project: string, imageType: string): string {
  const hex = createHash('sha256').update(imageId(project, imageType)).digest('hex').slice(0, 20).toUpperCase();
  return `DOCKCONV_IMAGE_STATE_${hex}`;
}
