/**
 * Gzip that does not waste time on data it cannot shrink. Layers full of already-compressed
 * files (wheels, model weights, media) are typical of images; deflating them even at level 1
 * costs ~15 s/GB of one core for no gain, which on a fast link makes the transfer slower than an
 * uncompressed `docker save | docker load`. So every PROBE_EVERY bytes a small sample is test-
 * compressed and the stream switches between `level` and stored (level 0) blocks. The output is
 * ordinary gzip (Engine 20.10 loads gzip and rejects zstd).
 */
import { Duplex } from 'node:stream';
import { constants, createGzip, deflateRawSync, type Gzip, type ZlibParams } from 'node:zlib';

const PROBE_EVERY = 1024 * 1024;
const SAMPLE = 16 * 1024;
/** A sample that does not shrink below this fraction of its size is treated as incompressible. */
const INCOMPRESSIBLE = 0.95;

export interface CompressStats {
  bytesIn: number;
  bytesOut: number;
}

export class AdaptiveGzip extends Duplex {
  readonly stats: CompressStats = { bytesIn: 0, bytesOut: 0 };
  // @types/node leaves params() off Gzip, though every deflate stream has it.
  private readonly gz: Gzip & ZlibParams;
  private current: number;
  private sinceProbe = PROBE_EVERY;

  /** `level`: what compressible data gets (1 = fastest; see docs/BENCHMARKS.md). */
  constructor(private readonly level = 1) {
    super();
    this.current = level;
    this.gz = createGzip({ level }) as Gzip & ZlibParams;
    this.gz.on('data', (chunk: Buffer) => {
      this.stats.bytesOut += chunk.length;
      if (!this.push(chunk)) this.gz.pause();
    });
    this.gz.on('end', () => this.push(null));
    this.gz.on('error', (err) => this.destroy(err));
  }

  override _read(): void {
    this.gz.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    this.stats.bytesIn += chunk.length;
    this.adapt(chunk)
      .then(() => {
        if (this.gz.write(chunk)) done();
        else this.gz.once('drain', () => done());
      })
      .catch(done);
  }

  override _final(done: (err?: Error | null) => void): void {
    this.gz.end();
    done();
  }

  override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    this.gz.destroy();
    done(err);
  }

  private async adapt(chunk: Buffer): Promise<void> {
    this.sinceProbe += chunk.length;
    if (this.sinceProbe < PROBE_EVERY || chunk.length < SAMPLE / 4) return;
    this.sinceProbe = 0;
    const want = isCompressible(chunk.subarray(0, SAMPLE)) ? this.level : 0;
    if (want === this.current) return;
    this.current = want;
    await new Promise<void>((resolve) => this.gz.params(want, constants.Z_DEFAULT_STRATEGY, () => resolve()));
  }
}

export function isCompressible(sample: Buffer): boolean {
  return deflateRawSync(sample, { level: 1 }).length < sample.length * INCOMPRESSIBLE;
}
