/**
 * What the two engines hold, read through the Engine API only (nothing runs on the destination
 * but its Docker Engine).
 */
import type { EngineApi, HistoryEntry, ImageInspectInfo } from '../docker/engine-api';
import { DockconvError } from '../errors';
import { statusOf } from '../docker/endpoint';
import { imageStoreFromInfo, type ImageStore } from '../docker/image-store';
import { chainIds, type DestinationState, type SourceImage } from './plan';

export type { ImageStore };


export async function inspectSource(docker: EngineApi, ref: string): Promise<SourceImage> {
  let info: ImageInspectInfo;
  try {
    // `manifests` lists a multi-platform image's platforms (Engine 28 on; older engines ignore it).
    info = await docker.inspectImage(ref, { manifests: true });
  } catch (err) {
    if (statusOf(err) === 404) {
      throw new DockconvError(`image '${ref}' not found on the source engine`, { hint: 'build it first, or check the name and tag' });
    }
    throw err;
  }
  const diffIds = info.RootFS.Layers ?? [];
  const platform = { os: info.Os, architecture: info.Architecture, ...(info.Variant ? { variant: info.Variant } : {}) };
  const platforms = info.Manifests?.filter((m) => m.Kind === 'image' && m.Available && m.Descriptor.platform).map((m) => {
    const p = m.Descriptor.platform ?? { os: '', architecture: '' };
    return { os: p.os, architecture: p.architecture, ...(p.variant ? { variant: p.variant } : {}) };
  });
  return { ref, id: info.Id, created: info.Created, diffIds, layerSizes: await layerSizes(docker, info.Id, diffIds.length), platform, ...(platforms?.length ? { platforms } : {}) };
}

async function layerSizes(docker: EngineApi, id: string, layers: number): Promise<(number | undefined)[]> {
  return layerSizesFromHistory(await docker.imageHistory(id), layers);
}

/**
 * Per-layer sizes from the image history (newest first in the API). The API does not say which
 * entries made a layer: an entry with a size did; one with none did unless its instruction only
 * sets metadata (a `RUN` that only makes symlinks is a layer of 0 B). They map onto the layers
 * only when that count equals the number of layers; otherwise sizes are left unknown rather
 * than guessed.
 */
export function layerSizesFromHistory(history: readonly HistoryEntry[], layers: number): (number | undefined)[] {
  const made = history.filter((h) => h.Size > 0 || !METADATA_ONLY.test(h.CreatedBy ?? '')).map((h) => h.Size).reverse();
  return made.length === layers ? made : new Array<number | undefined>(layers).fill(undefined);
}

/** `CMD ["sh"]` (BuildKit), `/bin/sh -c #(nop)  CMD ["sh"]` (the legacy builder). */
const METADATA_ONLY = /^(\/bin\/sh -c #\(nop\)\s+)?(CMD|ENV|LABEL|EXPOSE|ENTRYPOINT|USER|ARG|ONBUILD|STOPSIGNAL|HEALTHCHECK|SHELL|VOLUME|MAINTAINER|WORKDIR)\b/i;

/**
 * Every image ID and layer chain the destination holds (all images, intermediate ones included).
 * An image ID is the digest of the image's config, which lists its layers, so an image the source
 * holds too has the same layers there. With a source on this machine (`localSource`) each image
 * is asked there first, and only images the source lacks are inspected across the link: over ssh
 * every inspect is a round trip, and a destination fed from this machine holds mostly images this
 * machine has.
 */
export async function destinationState(dst: EngineApi, localSource?: EngineApi): Promise<DestinationState> {
  const imageIds = await listedImageIds(dst);
  const ids = [...imageIds];
  const read = async (id: string) => (localSource && (await imageLayers(localSource, id))) ?? (await imageLayers(dst, id));
  const infos = await mapLimit(ids, 8, read);
  const images = ids.map((id, i) => ({ id, created: infos[i]?.created, chains: chainIds(infos[i]?.layers ?? []) }));
  return { imageIds, chainIds: new Set(images.flatMap((image) => image.chains)), images };
}

/** The image's layers and creation time, or undefined when the engine does not have it (or removed it as we looked). */
async function imageLayers(docker: EngineApi, id: string): Promise<{ layers: string[]; created?: string } | undefined> {
  try {
    const info = await docker.inspectImage(id);
    return { layers: info.RootFS.Layers ?? [], created: info.Created };
  } catch (err) {
    if (statusOf(err) === 404) return undefined;
    throw err;
  }
}

async function layersOf(docker: EngineApi, id: string): Promise<string[] | undefined> {
  return (await imageLayers(docker, id))?.layers;
}

/**
 * Between stores of two kinds one image has two IDs, so the source images that may be what the
 * destination lists are found by creation time: a listed destination image whose layers are all
 * among those sent, and a source image created in the same second (both engines read it from
 * the image's config; a listing gives seconds). Only those few are inspected, not every image
 * the source holds (a build machine holds thousands).
 */
export async function sourceTwins(src: EngineApi, state: DestinationState, sentChains: ReadonlySet<string>): Promise<string[]> {
  const within = (state.images ?? []).filter((i) => i.created && i.chains.length > 0 && i.chains.every((c) => sentChains.has(c)));
  const seconds = new Set(within.map((i) => Math.floor(Date.parse(i.created ?? '') / 1000)));
  if (seconds.size === 0) return [];
  return (await src.listImages()).filter((i) => seconds.has(i.Created)).map((i) => i.Id);
}

export async function imageStoreOf(docker: EngineApi): Promise<ImageStore> {
  return imageStoreFromInfo(await docker.info());
}

/**
 * The IDs of the images the engine lists. A containerd-store engine lists only images whose
 * content it holds whole: one loaded from an archive that left out a blob it lacks is registered
 * but not listed (its layers cannot be unpacked, `docker save` of it writes only the manifest).
 */
export async function listedImageIds(docker: EngineApi): Promise<Set<string>> {
  return new Set((await docker.listImages()).map((i) => i.Id));
}

/**
 * Source images other than `sending` whose layers all belong to the images being sent (their
 * ancestors: the base, a builder stage), among `candidates`. Saved alongside the sent images
 * for a containerd-store destination, they add no bytes (their blobs are the same) and bring
 * their manifests, which say which blobs a destination listing them holds.
 */
export async function ancestorsOf(src: EngineApi, sending: readonly string[], sentChains: ReadonlySet<string>, candidates: Iterable<string>): Promise<{ id: string; chains: string[] }[]> {
  const others = [...new Set(candidates)].filter((id) => !sending.includes(id));
  const found = await mapLimit(others, 8, async (id) => {
    const layers = await layersOf(src, id);
    const chains = layers && layers.length > 0 ? chainIds(layers) : undefined;
    return chains && chains.every((c) => sentChains.has(c)) ? { id, chains } : undefined;
  });
  return found.filter((a): a is { id: string; chains: string[] } => a !== undefined);
}

/** Engine 25 (API 1.44) and later write `docker save` in the OCI layout. */
export async function savesOciLayout(docker: EngineApi): Promise<boolean> {
  const [major, minor] = (await docker.apiVersion()).split('.').map(Number);
  return (major ?? 0) > 1 || ((major ?? 0) === 1 && (minor ?? 0) >= 44);
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
