/**
 * Rewrites a `docker save` stream on the fly into the archive the destination loads: layer
 * content the destination already has is left out, and nothing in it names a tag (so the load
 * itself tags nothing; the tag is set only after the image ID is verified). Both formats engines
 * write are handled:
 * - classic (Engine ≤ 24): `<v1id>/{VERSION,json,layer.tar}`, `<config>.json`, `manifest.json`, `repositories`;
 * - OCI layout (Engine ≥ 25): `blobs/sha256/<digest>`, `index.json`, `oci-layout`, and a `manifest.json`
 *   whose layer paths are the blobs (uncompressed layers, so a blob digest is the diff ID).
 * Memory stays bounded: layer content streams through (or is drained); only small metadata
 * entries are held whole.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar-stream';
import { legacyLayerChain } from './legacy-layer';

export interface RewriteOptions {
  /** Diff IDs whose content stays behind. */
  skipDiffIds: ReadonlySet<string>;
  /** Chain ID → diff ID for every layer of the saved images (identifies classic layer folders). */
  chainToDiff: ReadonlyMap<string, string>;
  onSkip?: (diffId: string, bytes: number) => void;
}

export interface RewriteStats {
  layersSkipped: number;
  bytesSkipped: number;
  /** Classic layer folders that could not be matched to a layer (sent whole, to be safe). */
  unidentified: string[];
}

/** Metadata larger than this is passed through untouched rather than held in memory. */
/** An archive member as tar-stream yields it (its type is not exported by name). */
type Entry = tar.ExtractEvents['entry'][1];

const MAX_METADATA = 16 * 1024 * 1024;
const LEGACY_JSON = /^([0-9a-f]{64})\/json$/;
const LEGACY_LAYER = /^([0-9a-f]{64})\/layer\.tar$/;
const BLOB = /^blobs\/sha256\/([0-9a-f]{64})$/;
/** Annotations through which OCI-layout loaders (containerd image store) name images. */
const NAME_ANNOTATIONS = ['io.containerd.image.name', 'org.opencontainers.image.ref.name'];

export function rewriteArchive(source: Readable, opts: RewriteOptions): { stream: Readable; stats: RewriteStats } {
  const pack = tar.pack();
  const extract = tar.extract();
  const stats: RewriteStats = { layersSkipped: 0, bytesSkipped: 0, unidentified: [] };
  const folders = new Map<string, string>(); // classic layer folder → diff ID
  const fail = (err: unknown) => {
    source.destroy();
    extract.destroy();
    pack.destroy(err instanceof Error ? err : new Error(String(err)));
  };
  source.on('error', (err) => extract.destroy(err));
  source.pipe(extract);
  (async () => {
    for await (const entry of extract) await rewriteEntry(entry, pack, opts, stats, folders);
    pack.finalize();
  })().catch(fail);
  // The consumer going away (destination closed the connection) must stop the source too.
  pack.on('close', () => source.destroy());
  // A Node stream for consumers (tar-stream's are streamx streams).
  return { stream: Readable.from(pack), stats };
}

async function rewriteEntry(entry: Entry, pack: tar.Pack, opts: RewriteOptions, stats: RewriteStats, folders: Map<string, string>): Promise<void> {
  const header = entry.header;
  const name = header.name.replace(/^\.\//, '');
  const skipped = skippedDiffId(name, opts, folders);
  if (skipped !== undefined) {
    stats.layersSkipped += 1;
    stats.bytesSkipped += header.size ?? 0;
    opts.onSkip?.(skipped, header.size ?? 0);
    return drain(entry);
  }
  const legacyJson = LEGACY_JSON.exec(name);
  if (legacyJson || name === 'manifest.json' || name === 'index.json') {
    if ((header.size ?? 0) <= MAX_METADATA) return rewriteMetadata(entry, name, pack, opts, stats, folders);
  }
  if (name === 'repositories') return drain(entry); // legacy tag list: the loader must not see tags
  return copy(entry, header, pack);
}

/** The diff ID of a layer entry whose content stays behind, else undefined. */
function skippedDiffId(name: string, opts: RewriteOptions, folders: Map<string, string>): string | undefined {
  const blob = BLOB.exec(name);
  const diffId = blob ? `sha256:${blob[1]}` : folders.get(LEGACY_LAYER.exec(name)?.[1] ?? '');
  return diffId !== undefined && opts.skipDiffIds.has(diffId) ? diffId : undefined;
}

async function rewriteMetadata(entry: Entry, name: string, pack: tar.Pack, opts: RewriteOptions, stats: RewriteStats, folders: Map<string, string>): Promise<void> {
  const text = (await readAll(entry)).toString('utf8');
  const folder = LEGACY_JSON.exec(name)?.[1];
  let out = text;
  if (folder) identifyFolder(folder, text, opts, stats, folders);
  else if (name === 'manifest.json') out = withoutRepoTags(text);
  else out = withoutNameAnnotations(text);
  const body = Buffer.from(out, 'utf8');
  await new Promise<void>((resolve, reject) => {
    pack.entry({ ...entry.header, size: body.length }, body, (err) => (err ? reject(err) : resolve()));
  });
}

function identifyFolder(folder: string, json: string, opts: RewriteOptions, stats: RewriteStats, folders: Map<string, string>): void {
  const chainId = legacyLayerChain(folder, json, opts.chainToDiff.keys());
  const diffId = chainId === undefined ? undefined : opts.chainToDiff.get(chainId);
  if (diffId) folders.set(folder, diffId);
  else stats.unidentified.push(folder);
}

/** manifest.json with every `RepoTags` emptied: engines tag on load from exactly this list. */
export function withoutRepoTags(text: string): string {
  const manifest = JSON.parse(text) as Record<string, unknown>[];
  return JSON.stringify(manifest.map((m) => ({ ...m, RepoTags: null })));
}

export function withoutNameAnnotations(text: string): string {
  const index = JSON.parse(text) as { manifests?: { annotations?: Record<string, string> }[] };
  for (const m of index.manifests ?? []) {
    if (!m.annotations) continue;
    m.annotations = Object.fromEntries(Object.entries(m.annotations).filter(([k]) => !NAME_ANNOTATIONS.includes(k)));
  }
  return JSON.stringify(index);
}

async function copy(entry: Entry, header: tar.Header, pack: tar.Pack): Promise<void> {
  await pipeline(quiet(entry), quiet(pack.entry(header)));
}

/**
 * When one side of a pipeline ends early (the destination went away mid-load), Node's pipeline
 * destroys the other with ERR_STREAM_PREMATURE_CLOSE, and a tar-stream (streamx) stream emits
 * that error a tick later, once pipeline has stopped listening: with no listener left it would
 * crash the process. The error is the one the pipeline already rejected with.
 */
export function quiet<T extends { on(event: 'error', listener: () => void): unknown }>(stream: T): T {
  stream.on('error', () => undefined);
  return stream;
}

/** Reads an entry to its end and discards it (the destination has this content). */
export async function drain(entry: Entry): Promise<void> {
  entry.resume();
  await new Promise<void>((resolve, reject) => {
    entry.once('end', () => resolve());
    entry.once('error', reject);
  });
}

export async function readAll(entry: Entry): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of entry) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
