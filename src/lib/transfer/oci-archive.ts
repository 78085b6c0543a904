/**
 * The thin archive when the source writes the OCI layout (Engine 25 and later), for either kind
 * of destination.
 *
 * A containerd-store destination's `docker load` imports an OCI layout through containerd: a
 * blob it already holds may be left out of the archive, but only such a blob. One it lacks and
 * the archive leaves out still "loads": the image is registered, never unpacked and not listed,
 * and `docker save` of it writes only the manifest. So a blob is left out only when it belongs to
 * an image the destination lists (containerd lists only images whose content it holds whole), as
 * that image's own manifest says; the source saves such images alongside (their blobs are
 * shared, so they cost no bytes) to have those manifests at hand.
 *
 * A classic-store destination loads through `manifest.json` and opens no layer whose chain it
 * has, so any layer it has may be left out; but a compressed blob's name is not its diff ID, and
 * only the manifests and configs say which layer a blob is.
 *
 * `docker save` writes blobs in digest order and index.json after them, so a manifest often
 * comes after the layers it names. Large blobs therefore wait in a spool file, small ones in
 * memory, until the end of the stream decides them; the layout the load needs is written then.
 */
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar-stream';
import { DockconvError } from '../errors';
import { formatPlatform, samePlatform, type Platform } from '../model/platform';
import { withoutNameAnnotations } from './archive';
import { drain, emptyStats, put, quiet, readAll, rewriteTar, type Entry, type RewriteStats } from './tar-rewrite';

export interface OciRewriteOptions {
  /** IDs of the images to load, as the source names them (manifest or index digest, or config digest). */
  loadIds: readonly string[];
  /**
   * What the destination holds. A containerd store: the image IDs (manifest or index digests) it
   * lists, so holds whole. A classic store: the diff IDs of the layers it has (its loader reads
   * `manifest.json` and opens no layer whose chain it has).
   */
  holds: { heldImages: ReadonlySet<string> } | { skipDiffIds: ReadonlySet<string> };
  /** The destination's platform: of a multi-platform image only its manifest and blobs go. */
  platform?: Platform;
  /** Where large blobs wait until the stream's end (on this machine). */
  spoolDir: string;
  onSkip?: (digest: string, bytes: number) => void;
}

export interface Descriptor {
  mediaType?: string;
  digest: string;
  size?: number;
  annotations?: Record<string, string>;
  platform?: Platform;
}

/** An image that holds no platform the destination runs (found once its index is read). */
export class NoPlatformError extends DockconvError {}

interface Document {
  mediaType?: string;
  manifests?: Descriptor[];
  config?: Descriptor;
  layers?: Descriptor[];
}


/** Blobs up to this size stay in memory: manifests, configs, indexes and small layers. */
const IN_MEMORY = 1024 * 1024;
const BLOB = /^blobs\/sha256\/([0-9a-f]{64})$/;
/** How BuildKit marks the provenance manifests in an index (not part of the runnable image). */
const REFERENCE_TYPE = 'vnd.docker.reference.type';

interface Blob {
  header: tar.Header;
  body?: Buffer;
  file?: string;
}

export function rewriteOciLayout(source: Readable, opts: OciRewriteOptions): { stream: Readable; stats: RewriteStats } {
  const stats = emptyStats();
  const spool = mkdtempSync(join(opts.spoolDir, 'dockconv-spool-'));
  const cleanup = () => rmSync(spool, { recursive: true, force: true });
  const write = async (entries: AsyncIterable<Entry>, pack: tar.Pack) => {
    const blobs = new Map<string, Blob>();
    const skip = (digest: string, bytes: number) => {
      stats.layersSkipped += 1;
      stats.bytesSkipped += bytes;
      opts.onSkip?.(digest, bytes);
    };
    let index: Document | undefined;
    for await (const entry of entries) {
      const name = entry.header.name.replace(/^\.\//, '');
      const hex = BLOB.exec(name)?.[1];
      // An uncompressed layer's blob is named by its diff ID: a classic store's skip is decided at once.
      if (hex && 'skipDiffIds' in opts.holds && opts.holds.skipDiffIds.has(`sha256:${hex}`)) {
        skip(`sha256:${hex}`, entry.header.size ?? 0);
        await drain(entry);
      } else if (hex) blobs.set(`sha256:${hex}`, await keep(entry, join(spool, hex)));
      else if (name === 'index.json') index = JSON.parse((await readAll(entry)).toString('utf8')) as Document;
      else await drain(entry); // oci-layout and manifest.json are written anew; repositories names tags
    }
    if (!index) throw new Error('the source wrote no OCI layout (index.json); send with --full');
    const document = (digest: string) => parseDocument(blobs.get(digest)?.body);
    const loading = loadedDescriptors(opts.loadIds, index, blobs, document);
    const images = loading.map((d) => ({ desc: d, manifests: imageManifests(d, document, opts.platform) }));
    const held =
      'heldImages' in opts.holds
        ? heldBlobs(index, document, opts.holds.heldImages, opts.platform)
        : layerBlobs(images.flatMap((i) => i.manifests), document, (digest) => blobs.get(digest)?.body, opts.holds.skipDiffIds);
    // Without a platform every blob saved goes (as before platforms were asked); with one, only what its manifests name.
    const needed = opts.platform ? reachable(images, document) : undefined;
    await put(pack, { name: 'oci-layout', mode: 0o444, mtime: new Date(0) }, Buffer.from('{"imageLayoutVersion":"1.0.0"}'));
    for (const [digest, blob] of blobs) {
      if (needed && !needed.has(digest)) continue;
      if (held.has(digest)) skip(digest, blob.header.size ?? 0);
      else if (blob.body) await put(pack, blob.header, blob.body);
      else if (blob.file) await pipeline(createReadStream(blob.file), quiet(pack.entry(blob.header)));
    }
    // Only the requested images, without names: the load tags nothing.
    const text = withoutNameAnnotations(JSON.stringify({ ...index, manifests: loading }));
    await put(pack, { name: 'index.json', mode: 0o644, mtime: new Date(0) }, Buffer.from(text));
    // A classic store loads from manifest.json: one entry per image, its platform's manifest, no tags.
    if ('skipDiffIds' in opts.holds) await put(pack, { name: 'manifest.json', mode: 0o644, mtime: new Date(0) }, Buffer.from(JSON.stringify(images.map((i) => dockerEntry(i.manifests[0], document)))));
  };
  return { stream: rewriteTar(source, write, cleanup), stats };
}

/**
 * Every blob of the images the destination holds whole, from their own manifests: the index or
 * manifest, the config, the layers. Provenance manifests are left out: an image is listed whether
 * or not it holds them.
 */
export function heldBlobs(index: Document, document: (digest: string) => Document | undefined, heldImages: ReadonlySet<string>, platform?: Platform): Set<string> {
  const held = new Set<string>();
  const visit = (desc: Descriptor) => {
    const doc = document(desc.digest);
    if (!doc) return;
    held.add(desc.digest);
    // Of a multi-platform image a destination may hold its own platform only: count no other.
    for (const m of children(doc, platform)) visit(m);
    if (doc.config && doc.layers) for (const d of [doc.config, ...doc.layers]) held.add(d.digest);
  };
  for (const desc of index.manifests ?? []) if (heldImages.has(desc.digest)) visit(desc);
  return held;
}

/** The image manifests of an index (never its provenance ones), of one platform when asked. */
function children(doc: Document, platform?: Platform): Descriptor[] {
  const images = (doc.manifests ?? []).filter((m) => !m.annotations?.[REFERENCE_TYPE]);
  return platform ? images.filter((m) => !m.platform || samePlatform(m.platform, platform)) : images;
}

/** The single-platform manifests a loaded descriptor comes to: itself, or its index's children. */
function imageManifests(desc: Descriptor, document: (digest: string) => Document | undefined, platform?: Platform): Descriptor[] {
  const doc = document(desc.digest);
  if (!doc?.manifests) return [desc];
  const kept = children(doc, platform);
  if (kept.length === 0) {
    const held = children(doc).map((m) => (m.platform ? formatPlatform(m.platform) : 'unknown')).join(', ');
    throw new NoPlatformError(`the image ${desc.digest.slice(7, 19)} is for ${held || 'no platform'}; the destination runs ${platform ? formatPlatform(platform) : 'another'}`, { hint: 'build it for that platform too (run.cfg platforms, or --platforms)' });
  }
  return kept;
}

/** Every blob the loaded images need on the destination: indexes, manifests, configs, layers. */
function reachable(images: readonly { desc: Descriptor; manifests: readonly Descriptor[] }[], document: (digest: string) => Document | undefined): Set<string> {
  const out = new Set<string>();
  for (const { desc, manifests } of images) {
    out.add(desc.digest);
    for (const m of manifests) {
      out.add(m.digest);
      const doc = document(m.digest);
      for (const d of [...(doc?.config ? [doc.config] : []), ...(doc?.layers ?? [])]) out.add(d.digest);
    }
  }
  return out;
}

/** The manifest.json entry a classic store loads an image from. */
function dockerEntry(manifest: Descriptor | undefined, document: (digest: string) => Document | undefined): { Config: string; RepoTags: null; Layers: string[] } {
  const doc = manifest && document(manifest.digest);
  const path = (d: Descriptor) => `blobs/sha256/${d.digest.slice('sha256:'.length)}`;
  return { Config: doc?.config ? path(doc.config) : '', RepoTags: null, Layers: (doc?.layers ?? []).map(path) };
}

/**
 * The blobs of the loaded images' layers whose diff IDs a classic-store destination has: a
 * manifest's layers pair with its config's `rootfs.diff_ids` in order, whatever the blobs'
 * compression.
 */
export function layerBlobs(manifests: readonly Descriptor[], document: (digest: string) => Document | undefined, body: (digest: string) => Buffer | undefined, skipDiffIds: ReadonlySet<string>): Set<string> {
  const out = new Set<string>();
  const visit = (desc: Descriptor) => {
    const doc = document(desc.digest);
    if (!doc?.config || !doc.layers) return;
    const diffIds = diffIdsOf(body(doc.config.digest));
    doc.layers.forEach((layer, i) => {
      if (diffIds[i] !== undefined && skipDiffIds.has(diffIds[i])) out.add(layer.digest);
    });
  };
  manifests.forEach(visit);
  return out;
}

function diffIdsOf(config: Buffer | undefined): string[] {
  try {
    return (JSON.parse(config?.toString('utf8') ?? '{}') as { rootfs?: { diff_ids?: string[] } }).rootfs?.diff_ids ?? [];
  } catch {
    return [];
  }
}

/**
 * The descriptor of each image to load: its index entry, matched by its digest or (a
 * classic-store source names images by config digest) its config's. Engine 26's classic store,
 * saving several images by ID, lists only one of them in index.json (manifest.json lists all and
 * every manifest blob is there), so a missing one is found among the manifest blobs.
 */
function loadedDescriptors(loadIds: readonly string[], index: Document, blobs: ReadonlyMap<string, Blob>, document: (digest: string) => Document | undefined): Descriptor[] {
  const listed = index.manifests ?? [];
  const found = loadIds.map((id) => listed.find((d) => d.digest === id || configOf(d, document) === id) ?? manifestWithConfig(id, blobs, document));
  return [...new Set(found.filter((d): d is Descriptor => d !== undefined))];
}

function manifestWithConfig(config: string, blobs: ReadonlyMap<string, Blob>, document: (digest: string) => Document | undefined): Descriptor | undefined {
  for (const [digest, blob] of blobs) {
    const doc = document(digest);
    if (doc?.config?.digest === config) return { mediaType: doc.mediaType ?? 'application/vnd.oci.image.manifest.v1+json', digest, size: blob.header.size ?? 0 };
  }
  return undefined;
}

/** The config digest of a single-manifest descriptor: a classic-store source names images by it. */
function configOf(desc: Descriptor, document: (digest: string) => Document | undefined): string | undefined {
  return document(desc.digest)?.config?.digest;
}

function parseDocument(body: Buffer | undefined): Document | undefined {
  if (!body || body[0] !== 0x7b) return undefined; // `{`: layers are tar streams, gzip or zstd
  try {
    const doc = JSON.parse(body.toString('utf8')) as Document;
    return Array.isArray(doc.manifests) || (doc.config && Array.isArray(doc.layers)) ? doc : undefined;
  } catch {
    return undefined;
  }
}

async function keep(entry: Entry, file: string): Promise<Blob> {
  const header = entry.header;
  if ((header.size ?? 0) <= IN_MEMORY) return { header, body: await readAll(entry) };
  await pipeline(quiet(entry), createWriteStream(file));
  return { header, file };
}
