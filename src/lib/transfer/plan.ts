/**
 * What a transfer sends, computed from image metadata alone (no engine calls here, so it is
 * unit-testable). Layers are identified by *chain ID*, as the engine's layer store keys them: a
 * layer with the same content (diff ID) on top of a different parent is a different layer there.
 */
import { createHash } from 'node:crypto';
import type { Platform } from '../model/platform';

/** A source image as the planner needs it: its ID, layer diff IDs (bottom first) and sizes. */
export interface SourceImage {
  /** What the user asked for (a reference or an ID); tagged on the destination when it names a tag. */
  ref: string;
  id: string;
  /** The config's creation time: with the layers it tells the image apart where IDs differ (mixed stores). */
  created?: string;
  diffIds: readonly string[];
  /** Per-layer sizes in bytes where the engine told them (see inventory.ts), else undefined. */
  layerSizes?: readonly (number | undefined)[];
  /** The platform the engine inspects it as (its own, for a multi-platform image that has it). */
  platform?: Platform;
  /** Every platform it holds, where the engine lists them (Engine 28 and later), else undefined. */
  platforms?: readonly Platform[];
}

/** What the destination already holds. */
export interface DestinationState {
  imageIds: ReadonlySet<string>;
  chainIds: ReadonlySet<string>;
  /** Each listed image's creation time (its config's) and layer chains, where they were read. */
  images?: readonly { id: string; created?: string; chains: readonly string[] }[];
}

export interface PlannedLayer {
  diffId: string;
  chainId: string;
  size: number | undefined;
  /** The destination has this chain: the layer's content does not travel. */
  present: boolean;
}

export interface ImagePlan {
  ref: string;
  /** The source's image ID. */
  id: string;
  created?: string;
  /** `tag`: the destination has this image ID already; only the tag is set there. */
  action: 'tag' | 'load';
  layers: PlannedLayer[];
}

export interface TransferPlan {
  images: ImagePlan[];
  /** Image IDs to save from the source (each once, even when several refs name it). */
  loadIds: string[];
  /** Diff IDs whose content is left out of the archive. */
  skipDiffIds: ReadonlySet<string>;
  /** Every chain ID of the loaded images → its top diff ID (to recognise legacy layer folders). */
  chainToDiff: ReadonlyMap<string, string>;
  /** Unique layers that travel / stay, counted once across images. */
  sent: PlannedLayer[];
  skipped: PlannedLayer[];
}

export function sha256(text: string): string {
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

/** chain(0) = diff(0); chain(n) = sha256(chain(n-1) + " " + diff(n)) — the engine's layer identity. */
export function chainIds(diffIds: readonly string[]): string[] {
  const out: string[] = [];
  for (const diffId of diffIds) {
    const parent = out[out.length - 1];
    out.push(parent === undefined ? diffId : sha256(`${parent} ${diffId}`));
  }
  return out;
}

export interface PlanOptions {
  /** Send every layer. */
  full?: boolean;
  /**
   * Whether both engines name an image alike (both classic stores, or both containerd stores):
   * only then does an image ID the destination lists mean it has the image already.
   */
  sameIdentity?: boolean;
}

export function planTransfer(sources: readonly SourceImage[], dest: DestinationState, opts: PlanOptions = {}): TransferPlan {
  const full = opts.full === true;
  const images = sources.map((s) => planImage(s, dest, full, opts.sameIdentity !== false));
  const loading = images.filter((i) => i.action === 'load');
  const loadIds = [...new Set(loading.map((i) => i.id))];
  const allLayers = loading.flatMap((i) => i.layers);
  const chainToDiff = new Map(allLayers.map((l) => [l.chainId, l.diffId]));
  const skipDiffIds = skippable(allLayers);
  const unique = uniqueByContent(allLayers);
  return {
    images,
    loadIds,
    skipDiffIds,
    chainToDiff,
    sent: unique.filter((l) => !skipDiffIds.has(l.diffId)),
    skipped: unique.filter((l) => skipDiffIds.has(l.diffId)),
  };
}

function planImage(source: SourceImage, dest: DestinationState, full: boolean, sameIdentity: boolean): ImagePlan {
  const chains = chainIds(source.diffIds);
  const layers = source.diffIds.map((diffId, i) => ({
    diffId,
    chainId: chains[i] ?? diffId,
    size: source.layerSizes?.[i],
    present: !full && dest.chainIds.has(chains[i] ?? diffId),
  }));
  const action = !full && sameIdentity && dest.imageIds.has(source.id) ? 'tag' : 'load';
  return { ref: source.ref, id: source.id, created: source.created, action, layers };
}

/**
 * A diff ID's content may be left out only when *every* place it is used is present on the
 * destination: archives store one copy per diff ID (later uses link to it), so a copy that some
 * missing chain needs must travel.
 */
function skippable(layers: readonly PlannedLayer[]): Set<string> {
  const needed = new Set(layers.filter((l) => !l.present).map((l) => l.diffId));
  return new Set(layers.filter((l) => l.present && !needed.has(l.diffId)).map((l) => l.diffId));
}

function uniqueByContent(layers: readonly PlannedLayer[]): PlannedLayer[] {
  const seen = new Map<string, PlannedLayer>();
  for (const l of layers) if (!seen.has(l.diffId)) seen.set(l.diffId, l);
  return [...seen.values()];
}

export function totalSize(layers: readonly PlannedLayer[]): number {
  return layers.reduce((sum, l) => sum + (l.size ?? 0), 0);
}
