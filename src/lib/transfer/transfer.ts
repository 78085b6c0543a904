/**
 * transfer-image, end to end: connect both engines, plan from their metadata, stream the
 * rewritten archive from `docker save` on the source into `docker load` on the destination,
 * verify the image IDs, then tag.
 */
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type Docker from 'dockerode';
import { DockconvError, describeError } from '../errors';
import { formatCommand } from '../shown';
import { rewriteArchive, type RewriteStats } from './archive';
import { AdaptiveGzip, compresses, Uncompressed, type Compression } from './compress';
import { currentEngine, engineClient, parseDestination, type Endpoint } from './destination';
import { destinationState, engineUsesContainerdStore, inspectSource } from './inventory';
import { planTransfer, totalSize, type ImagePlan, type TransferPlan } from './plan';
import { createProgress, formatBytes } from './progress';
import { parseLoadResponse, tagImage, tagOf, verifyImage } from './verify';

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
  const [src, dst] = [engineClient(source), engineClient(destination)];
  try {
    return await transferBetween(src.docker, dst.docker, source, destination, req, log);
  } finally {
    src.close();
    dst.close();
  }
}

async function transferBetween(src: Docker, dst: Docker, source: Endpoint, destination: Endpoint, req: TransferRequest, log: (line: string) => void): Promise<TransferReport> {
  await reach(src, source, 'source');
  await reach(dst, destination, 'destination');
  const images = await Promise.all(req.images.map((ref) => inspectSource(src, ref)));
  const state = await destinationState(dst, source.local ? src : undefined);
  const plan = planTransfer(images, state, { full: req.full || (await needsEveryLayer(dst, destination, log)) });
  printPlan(plan, destination, log, req.dryRun === true);
  if (req.dryRun) return { plan, sentBytes: 0, rawBytes: 0 };
  const sent = plan.loadIds.length ? await send(src, dst, plan, destination, req, log) : { sentBytes: 0, rawBytes: 0 };
  await finish(dst, plan, destination, log);
  return { plan, ...sent };
}

async function reach(docker: Docker, endpoint: Endpoint, role: string): Promise<void> {
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

async function needsEveryLayer(dst: Docker, destination: Endpoint, log: (line: string) => void): Promise<boolean> {
  if (!(await engineUsesContainerdStore(dst))) return false;
  log(`${destination.label} keeps images in the containerd image store, whose load needs every layer in the archive: sending all of them`);
  return true;
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

interface SaveApi {
  getImages(opts: { names: string[] }): Promise<NodeJS.ReadableStream>;
}

async function send(src: Docker, dst: Docker, plan: TransferPlan, destination: Endpoint, req: TransferRequest, log: (line: string) => void) {
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
  try {
    const saved = (await (src as unknown as SaveApi).getImages({ names: plan.loadIds })) as Readable;
    const { stream, stats } = rewriteArchive(saved, { ...plan, onSkip: () => progress.layerSkipped() });
    const streamed = pipeline(stream, encoded).then(() => {
      // The engine unpacks and registers the layers only now; say so rather than sit at 100%.
      stopProgress();
      log(`sent; ${destination.label} is loading the image(s)`);
    });
    streamed.catch(() => undefined); // observed below; avoid an unhandled rejection while the load runs
    const response = await dst.loadImage(encoded, { quiet: true });
    const [text] = await Promise.all([readText(response), streamed]);
    parseLoadResponse(text, destination.label);
    return { sentBytes: encoded.stats.bytesOut, rawBytes: encoded.stats.bytesIn, archive: stats };
  } catch (err) {
    encoded.destroy();
    if (err instanceof DockconvError) throw err;
    throw new DockconvError(`transfer to ${destination.label} failed: ${describeError(err).trim()}`, {
      hint: 'nothing was tagged there; run it again',
    });
  } finally {
    stopProgress();
  }
}

/** Verify every image first, then tag: a mismatch must leave no tag at all. */
async function finish(dst: Docker, plan: TransferPlan, destination: Endpoint, log: (line: string) => void): Promise<void> {
  for (const image of plan.images) await verifyImage(dst, image, destination.label);
  for (const image of plan.images) {
    const tag = tagOf(image.ref, image.id);
    if (tag) log(formatCommand(['docker', '--host', destination.host, 'tag', image.id, `${tag.repo}:${tag.tag}`]));
    await tagImage(dst, image);
  }
  log(`transferred ${plan.images.map((i) => i.ref).join(', ')} to ${destination.label}; image IDs verified`);
}

async function readText(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}
