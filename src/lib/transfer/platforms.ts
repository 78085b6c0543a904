/**
 * Whether the destination engine can run what would be sent, decided before anything is: an
 * image holds one platform (classic store) or several (containerd store); the destination runs
 * one. Of a multi-platform image only that platform travels (oci-archive.ts).
 */
import { DockconvError } from '../errors';
import { formatPlatform, samePlatform, type Platform } from '../model/platform';
import type { SourceImage } from './plan';

export function platformRefusal(image: SourceImage, destination: Platform, label: string): DockconvError | undefined {
  if (!image.platform || samePlatform(image.platform, destination)) return undefined;
  const held = image.platforms ?? [image.platform];
  const wanted = formatPlatform(destination);
  if (held.some((p) => samePlatform(p, destination))) {
    // Its layers there are not the ones this engine reports, which the plan and the check use.
    return new DockconvError(`${image.ref} holds ${wanted}, which ${label} runs, but this engine's own view of it is ${formatPlatform(image.platform)}: a platform other than that is not sent; nothing was sent`, {
      hint: `transfer it from an engine that runs ${wanted}, or publish it to a registry`,
    });
  }
  return new DockconvError(`${image.ref} is for ${held.map(formatPlatform).join(', ')}; ${label} runs ${wanted}: nothing was sent`, {
    hint: `build it for ${wanted} too (run.cfg platforms, or --platforms)`,
  });
}
