/**
 * transfer-image, end to end: connect both engines, plan from their metadata, stream the
 * rewritten archive from `docker save` on the source into `docker load` on the destination,
 * verify the image IDs, then tag.
 */
import { tmpdir } from 'node:os';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DockconvError, describeError } from '../errors';
import { formatCommand } from '../text/shown';
import { rewriteArchive } from './archive';
import type { RewriteStats } from './tar-rewrite';
import { AdaptiveGzip, compresses, Uncompressed, type Compression } from './compress';
import { currentEngine, parseDestination, type Endpoint } from '../docker/endpoint';
import { openEngineApi, type EngineApi } from '../docker/engine-api';
import { ancestorsOf, destinationState, imageStoreOf, sourceTwins, inspectSource, listedImageIds, savesOciLayout, type ImageStore } from './inventory';
import { rewriteOciLayout } from './oci-archive';
import { NotHeldError, rewriteClassicToOci, UnnamedLayerError } from './classic-to-oci';
import { imageStoreFromInfo } from '../docker/image-store';
import { enginePlatform, type Platform } from '../model/platform';
import { platformRefusal } from './platforms';
import { chainIds, planTransfer, totalSize, type DestinationState, type ImagePlan, type SourceImage, type TransferPlan } from './plan';
import { createProgress, formatBytes } from './progress';
import { parseLoadResponse, tagImage, tagOf, verifyImage, type Arrival } from './verify';

export interface TransferRequest {
  images: readonly string[];
  to: string;
  full?: boolean;
  dryRun?: boolean;
  /** The engine images come from; default: the one the docker CLI would use. */
  source?: Endpoint;
  log?: (line: string) => void;
  progress?: 'tty' | 'plain' | 'none';
  /** Default `auto`: gzip only across a network (compress.ts). */
  compress?: Compression;
  /** gzip level for compressible data (incompressible data is stored; see compress.ts). */
  gzipLevel?: number;
}

export interface TransferReport {
  plan: TransferPlan;
  /** Compressed bytes written to the destination. */
  sentBytes: number;
  /** Archive bytes before compression. */
  rawBytes: number;
  archive?: RewriteStats;
}

const CONNECT_TIMEOUT_MS = 20000;

export async function transferImages(req: TransferRequest): Promise<TransferReport> {
  const log = req.log ?? ((line: string) => console.log(line));
  if (req.images.length === 0) throw new DockconvError('transfer-image needs at least one image', { hint: 'set --image' });
  const destination = parseDestination(req.to);
  const source = req.source ?? currentEngine();
  const [src, dst] = [openEngineApi(source), openEngineApi(destination)];
  try {
    return await transferBetween(src, dst, source, destination, req, log);
  } finally {
    src.close();
    dst.close();
  }
}

async function transferBetween(src: EngineApi, dst: EngineApi, source: Endpoint, destination: Endpoint, req: TransferRequest, log: (line: string) => void): Promise<TransferReport> {
  await reach(src, source, 'source');
  await reach(dst, destination, 'destination');
  const images = await Promise.all(req.images.map((ref) => inspectSource(src, ref)));
  const info = await dst.info();
  const stores: Stores = { source: await imageStoreOf(src), destination: imageStoreFromInfo(info) };
  const platform = enginePlatform(info);
  for (const image of images) {
    const refusal = platformRefusal(image, platform, destination.label);
    if (refusal) throw refusal;
  }
  // Images are asked on the source only when it names them as the destination does.
  const sameIdentity = stores.source === stores.destination;
  const state = await destinationState(dst, source.local && sameIdentity ? src : undefined);
  const containerd = stores.destination === 'containerd' && !req.full ? await containerdArchive(src, images, state, sameIdentity) : undefined;
  let plan = planTransfer(images, containerd?.state ?? state, { full: req.full, sameIdentity });
  printPlan(plan, destination, log, req.dryRun === true);
  if (req.dryRun) return { plan, sentBytes: 0, rawBytes: 0 };
  const layout = await savesOciLayout(src) ? 'oci' : 'classic';
  const sendAll = async (plan: TransferPlan, opts: SendOptions) => (plan.loadIds.length ? send(src, dst, plan, destination, opts, log) : { sentBytes: 0, rawBytes: 0, loadedIds: [] as string[], archive: undefined });
  let sent;
  try {
    sent = await sendAll(plan, { ...req, layout, platform, store: stores.destination, ancestors: containerd?.ancestors, heldImages: containerd?.state.imageIds });
  } catch (err) {
    if (!(err instanceof NotHeldError || err instanceof UnnamedLayerError)) throw err;
    // The layers go whole after all: compressed, as across a network, so never more than save | gzip.
    log(`no thin archive for ${destination.label}: ${err.message}; sending every layer, gzip`);
    plan = planTransfer(images, { imageIds: state.imageIds, chainIds: new Set() }, { full: true, sameIdentity });
    sent = await sendAll(plan, { ...req, layout, platform, store: stores.destination, compress: req.compress === 'none' ? 'none' : 'gzip' });
  }
  await finish(dst, plan, destination, { sameIdentity, loadedIds: sent.loadedIds }, stores, log);
  return { plan, sentBytes: sent.sentBytes, rawBytes: sent.rawBytes, archive: sent.archive };
}

interface Stores {
  source: ImageStore;
  destination: ImageStore;
}

async function reach(docker: EngineApi, endpoint: Endpoint, role: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CONNECT_TIMEOUT_MS / 1000}s`)), CONNECT_TIMEOUT_MS);
  });
  try {
    await Promise.race([docker.ping(), timeout]);
  } catch (err) {
    // A refused ssh host key says all there is to say (ssh-command.ts).
    if (err instanceof DockconvError) throw err;
    throw new DockconvError(`cannot reach the ${role} Docker engine at ${endpoint.label}: ${describeError(err).trim()}`, {
      hint: endpoint.host === endpoint.label ? undefined : endpoint.host,
    });
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A containerd-store destination is sent an OCI layout that leaves out only blobs of images it
 * lists (oci-archive.ts; classic-to-oci.ts when the source writes the classic layout). Those are
 * the sent images' ancestors it lists: the plan counts their layers as present.
 */
async function containerdArchive(src: EngineApi, images: readonly SourceImage[], state: DestinationState, sameIdentity: boolean) {
  const sentChains = new Set(images.flatMap((i) => chainIds(i.diffIds)));
  // Between stores of one kind the destination's IDs are the source's; otherwise its twins by creation time.
  const candidates = sameIdentity ? state.imageIds : await sourceTwins(src, state, sentChains);
  const ancestors = await ancestorsOf(src, images.map((i) => i.id), sentChains, candidates);
  const chains = new Set(ancestors.flatMap((a) => a.chains).filter((c) => state.chainIds.has(c)));
  return { state: { imageIds: state.imageIds, chainIds: chains }, ancestors: ancestors.map((a) => a.id) };
}

function printPlan(plan: TransferPlan, destination: Endpoint, log: (line: string) => void, detailed: boolean): void {
  log(`transfer to ${destination.label}${destination.host !== destination.label ? ` (${destination.host})` : ''}:`);
  for (const image of plan.images) {
    log(`  ${image.ref} (${short(image.id)}): ${describeAction(image)}`);
    if (!detailed || image.action === 'tag') continue;
    for (const layer of image.layers) {
      const state = plan.skipDiffIds.has(layer.diffId) ? 'present' : 'send   ';
      log(`    ${state} ${short(layer.diffId)} ${layer.size === undefined ? '?' : formatBytes(layer.size)}`);
    }
  }
  log(
    `  ${plan.sent.length} layer(s) to send (${formatBytes(totalSize(plan.sent))}), ` +
      `${plan.skipped.length} already there (${formatBytes(totalSize(plan.skipped))})`,
  );
}

function describeAction(image: ImagePlan): string {
  if (image.action === 'tag') return 'already there, tag only';
  const present = image.layers.filter((l) => l.present).length;
  return `${image.layers.length} layers, ${present} already there`;
}

function short(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

interface SendOptions extends TransferRequest {
  /** The layout the source's `docker save` writes, and the destination's image store. */
  layout: 'oci' | 'classic';
  /** The destination's platform: all of a multi-platform image it gets. */
  platform: Platform;
  store: ImageStore;
  /** With these, the containerd-store archive: ancestors saved alongside, the destination's images. */
  ancestors?: readonly string[];
  heldImages?: ReadonlySet<string>;
}

async function send(src: EngineApi, dst: EngineApi, plan: TransferPlan, destination: Endpoint, req: SendOptions, log: (line: string) => void) {
  const gzipped = compresses(req.compress ?? 'auto', destination);
  const rewrite = `leave out ${plan.skipped.length} layer(s)${gzipped ? ', gzip' : ''}`;
  log(`${formatCommand(['docker', 'save', ...plan.loadIds])} | <${rewrite}> | ${formatCommand(['docker', '--host', destination.host, 'load'])}`);
  const progress = createProgress({ total: totalSize(plan.sent), mode: req.progress ?? 'plain', log });
  const encoded = gzipped ? new AdaptiveGzip(req.gzipLevel ?? 1) : new Uncompressed();
  const ticker = setInterval(() => progress.update(encoded.stats.bytesIn, encoded.stats.bytesOut), 250);
  let stopped = false;
  const stopProgress = () => {
    if (stopped) return;
    stopped = true;
    clearInterval(ticker);
    progress.update(encoded.stats.bytesIn, encoded.stats.bytesOut);
    progress.stop();
  };
  let streamed: Promise<void> | undefined;
  let rewriteFailure: unknown;
  try {
    const onSkip = () => progress.layerSkipped();
    const names = [...plan.loadIds, ...(req.ancestors ?? [])];
    const saved = await src.saveImages(names);
    const { stream, stats } = rewriter(saved, plan, req, onSkip);
    streamed = pipeline(stream, encoded).then(() => {
      // The engine unpacks and registers the layers only now; say so rather than sit at 100%.
      stopProgress();
      log(`sent; ${destination.label} is loading the image(s)`);
    });
    // Observed below; and no unhandled rejection while the load runs.
    streamed.catch((err: unknown) => {
      rewriteFailure = err;
    });
    const response = await dst.loadImages(encoded);
    const [text] = await Promise.all([readText(response), streamed]);
    const loadedIds = parseLoadResponse(text, destination.label);
    return { sentBytes: encoded.stats.bytesOut, rawBytes: encoded.stats.bytesIn, archive: stats, loadedIds };
  } catch (err) {
    encoded.destroy();
    // The rewrite found it cannot leave those layers out: nothing was loaded, the caller sends them.
    await streamed?.catch(() => undefined);
    if (rewriteFailure instanceof NotHeldError || rewriteFailure instanceof UnnamedLayerError || rewriteFailure instanceof DockconvError) throw rewriteFailure;
    if (err instanceof DockconvError) throw err;
    throw new DockconvError(`transfer to ${destination.label} failed: ${describeError(err).trim()}`, {
      hint: 'nothing was tagged there; run it again',
    });
  } finally {
    stopProgress();
  }
}

/**
 * The rewrite from what the source saves into what the destination loads: an OCI layout for a
 * containerd store (from either layout the source writes); for a classic store, a classic
 * archive rewritten in passing, or an OCI one through the rewrite that reads its manifests (a
 * compressed blob's name is not its diff ID; of a multi-platform image one platform goes).
 */
function rewriter(saved: Readable, plan: TransferPlan, req: SendOptions, onSkip: () => void) {
  const { skipDiffIds, loadIds } = plan;
  const oci = { loadIds, platform: req.platform, spoolDir: tmpdir(), onSkip };
  const heldImages = req.heldImages ?? new Set<string>();
  if (req.store === 'containerd' && req.layout === 'oci') return rewriteOciLayout(saved, { ...oci, holds: { heldImages } });
  if (req.store === 'containerd') return rewriteClassicToOci(saved, { loadIds, skipDiffIds, chainToDiff: plan.chainToDiff, heldImages, onSkip });
  if (req.layout === 'oci') return rewriteOciLayout(saved, { ...oci, holds: { skipDiffIds } });
  return rewriteArchive(saved, { ...plan, onSkip });
}

/** Verify every image first, then tag: a mismatch must leave no tag at all. */
async function finish(dst: EngineApi, plan: TransferPlan, destination: Endpoint, arrival: Omit<Arrival, 'listed'>, stores: Stores, log: (line: string) => void): Promise<void> {
  const listed = stores.destination === 'containerd' ? await listedImageIds(dst) : undefined;
  const ids: string[] = [];
  for (const image of plan.images) ids.push(await verifyImage(dst, image, destination.label, { ...arrival, listed }));
  for (const [i, image] of plan.images.entries()) {
    const id = ids[i] ?? image.id;
    const tag = tagOf(image.ref, image.id);
    if (tag) log(formatCommand(['docker', '--host', destination.host, 'tag', id, `${tag.repo}:${tag.tag}`]));
    await tagImage(dst, image, id);
  }
  const what = arrival.sameIdentity ? 'image IDs verified' : `layers verified (${stores.source} store to ${stores.destination} store: the image IDs differ by design)`;
  log(`transferred ${plan.images.map((i) => i.ref).join(', ')} to ${destination.label}; ${what}`);
}

async function readText(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}
