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
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar-stream';
import { legacyLayerChain } from './legacy-layer';
import { drain, emptyStats, quiet, readAll, rewriteTar, type Entry, type RewriteStats } from './tar-rewrite';

export interface RewriteOptions {
  /** Diff IDs whose content stays behind. */
  skipDiffIds: ReadonlySet<string>;
  /** Chain ID → diff ID for every layer of the saved images (identifies classic layer folders). */
  chainToDiff: ReadonlyMap<string, string>;
  onSkip?: (diffId: string, bytes: number) => void;
}

/** Metadata larger than this is passed through untouched rather than held in memory. */
const MAX_METADATA = 16 * 1024 * 1024;
const LEGACY_JSON = /^([0-9a-f]{64})\/json$/;
const LEGACY_LAYER = /^([0-9a-f]{64})\/layer\.tar$/;
const BLOB = /^blobs\/sha256\/([0-9a-f]{64})$/;
/** Annotations through which OCI-layout loaders (containerd image store) name images. */
const NAME_ANNOTATIONS = ['io.containerd.image.name', 'org.opencontainers.image.ref.name'];

export function rewriteArchive(source: Readable, opts: RewriteOptions): { stream: Readable; stats: RewriteStats } {
  const stats = emptyStats();
  const folders = new Map<string, string>(); // classic layer folder → diff ID
  const stream = rewriteTar(source, async (entries, pack) => {
    for await (const entry of entries) await rewriteEntry(entry, pack, opts, stats, folders);
  });
  return { stream, stats };
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
