/**
 * What the two engines hold, read through the Engine API only (nothing runs on the destination
 * but its Docker Engine).
 */
import type Docker from 'dockerode';
import { DockconvError } from '../errors';
import { statusOf } from './destination';
import { chainIds, type DestinationState, type SourceImage } from './plan';

interface HistoryEntry {
  Size: number;
  CreatedBy?: string;
}

export async function inspectSource(docker: Docker, ref: string): Promise<SourceImage> {
  let info: Docker.ImageInspectInfo;
  try {
    info = await docker.getImage(ref).inspect();
  } catch (err) {
    if (statusOf(err) === 404) {
      throw new DockconvError(`image '${ref}' not found on the source engine`, { hint: 'build it first, or check the name and tag' });
    }
    throw err;
  }
  const diffIds = info.RootFS.Layers ?? [];
  return { ref, id: info.Id, diffIds, layerSizes: await layerSizes(docker, info.Id, diffIds.length) };
}

/**
 * Per-layer sizes from the image history (newest first in the API; entries that made no layer
 * have size 0). They map onto layers only when exactly one entry per layer has a size; otherwise
 * sizes are left unknown rather than guessed.
 */
async function layerSizes(docker: Docker, id: string, layers: number): Promise<(number | undefined)[]> {
  const history = (await docker.getImage(id).history()) as HistoryEntry[];
  const sized = history.filter((h) => h.Size > 0).map((h) => h.Size).reverse();
  return sized.length === layers ? sized : new Array<number | undefined>(layers).fill(undefined);
}

/**
 * Every image ID and layer chain the destination holds (all images, intermediate ones included).
 * An image ID is the digest of the image's config, which lists its layers, so an image the source
 * holds too has the same layers there. With a source on this machine (`localSource`) each image
 * is asked there first, and only images the source lacks are inspected across the link: over ssh
 * every inspect is a round trip, and a destination fed from this machine holds mostly images this
 * machine has.
 */
export async function destinationState(dst: Docker, localSource?: Docker): Promise<DestinationState> {
  const imageIds = new Set((await dst.listImages({ all: true })).map((i) => i.Id));
  const layersOfId = async (id: string) => (localSource && (await layersOf(localSource, id))) ?? (await layersOf(dst, id)) ?? [];
  const layerLists = await mapLimit([...imageIds], 8, layersOfId);
  return { imageIds, chainIds: new Set(layerLists.flatMap((layers) => chainIds(layers))) };
}

/** The image's layers, or undefined when the engine does not have it (or removed it as we looked). */
async function layersOf(docker: Docker, id: string): Promise<string[] | undefined> {
  try {
    return (await docker.getImage(id).inspect()).RootFS.Layers ?? [];
  } catch (err) {
    if (statusOf(err) === 404) return undefined;
    throw err;
  }
}

/**
 * Whether the engine keeps images in the containerd image store (opt-in from Engine 24, the
 * default on new installs from 29). Its `docker load` imports through containerd, which fails on
 * an archive whose manifest names a layer the archive leaves out, so such a destination gets
 * every layer. Untested against a real one: the engines here are 20.10 (docs/BENCHMARKS.md).
 */
export function usesContainerdStore(info: { DriverStatus?: readonly (readonly string[])[] | null }): boolean {
  return (info.DriverStatus ?? []).some(([key, value]) => key === 'driver-type' && value?.startsWith('io.containerd.snapshotter'));
}

export async function engineUsesContainerdStore(docker: Docker): Promise<boolean> {
  return usesContainerdStore((await docker.info()) as { DriverStatus?: string[][] });
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
