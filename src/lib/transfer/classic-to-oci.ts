/**
 * A classic-layout `docker save` (Engine before 25) rewritten on the fly into the OCI layout a
 * containerd-store destination loads thin. That store refuses a classic archive that leaves
 * out any `layer.tar`, but imports an OCI layout whose manifest names blobs it already holds.
 *
 * Which blobs it holds: a containerd store that loaded an image from a classic archive keeps
 * each layer as the uncompressed `layer.tar`, so under its diff ID, behind a Docker manifest
 * made from the archive alone (config, then each layer's diff ID and size). This rewrite writes
 * exactly that manifest, so an image gets the same ID there whichever way it came, and the
 * destination listing an ancestor's manifest proves it holds those blobs. Layers are left out
 * as the plan says; the proof is checked at the end, when every size is known, before the
 * index is written. Without it the stream fails with `NotHeldError` and nothing is loaded.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar-stream';
import { drain, emptyStats, put, quiet, readAll, rewriteTar, type Entry, type RewriteStats } from './tar-rewrite';
import { legacyLayerChain } from './legacy-layer';

export interface ClassicToOciOptions {
  /** Config digests (classic image IDs) of the images to load. */
  loadIds: readonly string[];
  /** Diff IDs whose content stays behind. */
  skipDiffIds: ReadonlySet<string>;
  /** Chain ID → diff ID for every layer of the saved images (identifies the layer folders). */
  chainToDiff: ReadonlyMap<string, string>;
  /** Manifest digests the destination lists (so holds whole). */
  heldImages: ReadonlySet<string>;
  onSkip?: (diffId: string, bytes: number) => void;
}

/** The destination lists no image proving it holds a left-out layer under its diff ID. */
export class NotHeldError extends Error {
  constructor(readonly diffIds: readonly string[]) {
    super(`it holds ${diffIds.length} of the left-out layer(s) only under digests the source cannot name (pulled or built there)`);
  }
}

/** A folder whose layer could not be named (its content would need a digest before it is read). */
export class UnnamedLayerError extends Error {}

interface SavedImage {
  Config: string;
  Layers: string[];
}


const LEGACY_JSON = /^([0-9a-f]{64})\/json$/;
const LEGACY_LAYER = /^([0-9a-f]{64})\/layer\.tar$/;
const CONFIG = /^([0-9a-f]{64})\.json$/;

export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
const DOCKER_CONFIG = 'application/vnd.docker.container.image.v1+json';
const DOCKER_LAYER = 'application/vnd.docker.image.rootfs.diff.tar';

/** What the stream has told so far. */
interface Seen {
  folders: Map<string, string>; // layer folder → diff ID
  layerSizes: Map<string, number>; // diff ID → layer.tar size
  configs: Map<string, Buffer>; // config digest → body
  manifest?: SavedImage[];
}

export function rewriteClassicToOci(source: Readable, opts: ClassicToOciOptions): { stream: Readable; stats: RewriteStats } {
  const stats = emptyStats();
  const stream = rewriteTar(source, async (entries, pack) => {
    const seen: Seen = { folders: new Map(), layerSizes: new Map(), configs: new Map() };
    for await (const entry of entries) await take(entry, pack, opts, stats, seen);
    await finish(pack, opts, seen);
  });
  return { stream, stats };
}

async function take(entry: Entry, pack: tar.Pack, opts: ClassicToOciOptions, stats: RewriteStats, seen: Seen): Promise<void> {
  const header = entry.header;
  const name = header.name.replace(/^\.\//, '');
  const json = LEGACY_JSON.exec(name);
  const layer = LEGACY_LAYER.exec(name);
  const config = CONFIG.exec(name);
  if (json?.[1]) {
    const chain = legacyLayerChain(json[1], (await readAll(entry)).toString('utf8'), opts.chainToDiff.keys());
    const diffId = chain === undefined ? undefined : opts.chainToDiff.get(chain);
    if (diffId) seen.folders.set(json[1], diffId);
    return;
  }
  // A symlink: a later folder of the same content; its blob is written once, by digest.
  if (layer?.[1] && header.type === 'file') return takeLayer(entry, layer[1], pack, opts, stats, seen);
  if (config?.[1]) return void seen.configs.set(`sha256:${config[1]}`, await readAll(entry));
  if (name === 'manifest.json') return void (seen.manifest = JSON.parse((await readAll(entry)).toString('utf8')) as SavedImage[]);
  return drain(entry); // VERSION, repositories (names the loader must not see), folders
}

async function takeLayer(entry: Entry, folder: string, pack: tar.Pack, opts: ClassicToOciOptions, stats: RewriteStats, seen: Seen): Promise<void> {
  const diffId = seen.folders.get(folder);
  if (!diffId) throw new UnnamedLayerError(`layer folder ${folder} matches no layer of the saved images`);
  const size = entry.header.size ?? 0;
  seen.layerSizes.set(diffId, size);
  if (opts.skipDiffIds.has(diffId)) {
    stats.layersSkipped += 1;
    stats.bytesSkipped += size;
    opts.onSkip?.(diffId, size);
    return drain(entry);
  }
  await pipeline(quiet(entry), quiet(pack.entry({ name: blobPath(diffId), size, mode: 0o444, mtime: new Date(0) })));
}

async function finish(pack: tar.Pack, opts: ClassicToOciOptions, seen: Seen): Promise<void> {
  const images = (seen.manifest ?? []).map((saved) => dockerManifest(saved, seen));
  const held = new Set(images.filter((i) => opts.heldImages.has(i.digest)).flatMap((i) => i.diffIds));
  const missing = [...opts.skipDiffIds].filter((d) => seen.layerSizes.has(d) && !held.has(d));
  if (missing.length > 0) throw new NotHeldError(missing);
  const loading = images.filter((i) => opts.loadIds.includes(i.configDigest));
  for (const image of loading) {
    await putBlob(pack, blobPath(image.configDigest), image.config);
    await putBlob(pack, blobPath(image.digest), image.body);
  }
  await putBlob(pack, 'oci-layout', Buffer.from('{"imageLayoutVersion":"1.0.0"}'));
  const manifests = loading.map((i) => ({ mediaType: DOCKER_MANIFEST, digest: i.digest, size: i.body.length }));
  await putBlob(pack, 'index.json', Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests })));
}

/**
 * The manifest a containerd store makes when it loads this image from a classic archive: the
 * config, then every layer (as its config lists them) as an uncompressed tar of its diff ID.
 */
export function dockerManifest(saved: SavedImage, seen: Pick<Seen, 'layerSizes' | 'configs'>): { configDigest: string; config: Buffer; digest: string; body: Buffer; diffIds: string[] } {
  const configDigest = `sha256:${saved.Config.replace(/\.json$/, '')}`;
  const config = seen.configs.get(configDigest);
  if (!config) throw new UnnamedLayerError(`the archive holds no config ${saved.Config}`);
  const diffIds = (JSON.parse(config.toString('utf8')) as { rootfs?: { diff_ids?: string[] } }).rootfs?.diff_ids ?? [];
  const layers = diffIds.map((digest) => {
    const size = seen.layerSizes.get(digest);
    if (size === undefined) throw new UnnamedLayerError(`the archive holds no layer.tar named for ${digest}`);
    return { mediaType: DOCKER_LAYER, digest, size };
  });
  const body = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: DOCKER_MANIFEST, config: { mediaType: DOCKER_CONFIG, digest: configDigest, size: config.length }, layers }));
  return { configDigest, config, digest: `sha256:${createHash('sha256').update(body).digest('hex')}`, body, diffIds };
}

const blobPath = (digest: string) => `blobs/sha256/${digest.replace(/^sha256:/, '')}`;

function putBlob(pack: tar.Pack, name: string, body: Buffer): Promise<void> {
  return put(pack, { name, mode: 0o444, mtime: new Date(0) }, body);
}
