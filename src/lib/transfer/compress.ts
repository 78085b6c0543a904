/**
 * Gzip that does not waste time on data it cannot shrink. Layers full of already-compressed
 * files (wheels, model weights, media) are typical of images; deflating them even at level 1
 * costs ~15 s/GB of one core for no gain, which on a fast link makes the transfer several times
 * slower than an uncompressed `docker save | docker load` (docs/BENCHMARKS.md). So every
 * PROBE_EVERY bytes a small sample is test-compressed, and the stream switches between deflate
 * at `level` and *stored* blocks (deflate's "no compression" block type).
 *
 * Each switch starts a new gzip *member*: concatenated members are one valid gzip stream (RFC
 * 1952 §2.2) and the engine's loader (Go's gzip.Reader, multistream by default, or unpigz) reads
 * them as one. Stored members are written here directly (header, ≤64 KiB stored blocks around
 * the caller's own buffers, CRC-32 trailer), at memory speed; zlib's params() did not make Node's
 * deflate faster when asked for level 0 mid-stream (measured), and even a level-0 zlib stream
 * copies every byte through the thread pool. Engine 20.10 loads gzip and rejects zstd, hence gzip.
 */
import { Duplex, Transform, type TransformCallback } from 'node:stream';
import * as zlib from 'node:zlib';

const PROBE_EVERY = 1024 * 1024;
const SAMPLE = 16 * 1024;
/** A sample that does not shrink below this fraction of its size is treated as incompressible. */
const INCOMPRESSIBLE = 0.95;
const MAX_STORED_BLOCK = 65535;
/** Magic, deflate, no flags, no mtime, no extra flags, OS unknown. */
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
/** zlib.crc32 arrived in Node 20.15; without it incompressible data goes through zlib level 0. */
const crc32 = (zlib as { crc32?: (data: Buffer, value?: number) => number }).crc32;

/**
 * `auto` compresses only where a network lies between the engines. Between two engines on one
 * machine there is no link to save, only the cost of deflating here and inflating there: 1.48×
 * the time of a plain `docker save | docker load` on 200 MB of random data, against 1.13× without
 * (docs/BENCHMARKS.md).
 */
export type Compression = 'auto' | 'gzip' | 'none';

export function compresses(mode: Compression, destination: { local: boolean }): boolean {
  return mode === 'gzip' || (mode === 'auto' && !destination.local);
}

/** The archive as it is, counted like the gzip stream so progress reads the same. */
export class Uncompressed extends Transform {
  readonly stats: CompressStats = { bytesIn: 0, bytesOut: 0, members: 0 };

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.stats.bytesIn += chunk.length;
    this.stats.bytesOut += chunk.length;
    done(null, chunk);
  }
}

export interface CompressStats {
  bytesIn: number;
  bytesOut: number;
  /** gzip members written (1 + level switches). */
  members: number;
}

interface StoredMember {
  crc: number;
  size: number;
}

export class AdaptiveGzip extends Duplex {
  readonly stats: CompressStats = { bytesIn: 0, bytesOut: 0, members: 0 };
  private deflating?: { gz: zlib.Gzip; ended: Promise<void> };
  private stored?: StoredMember;
  private current: number;
  private sinceProbe = PROBE_EVERY;
  private waiting?: () => void;

  /** `level`: what compressible data gets (1 = fastest; see docs/BENCHMARKS.md). */
  constructor(private readonly level = 1) {
    super();
    this.current = level;
  }

  override _read(): void {
    this.deflating?.gz.resume();
    const wake = this.waiting;
    this.waiting = undefined;
    wake?.();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    this.stats.bytesIn += chunk.length;
    this.writeChunk(chunk).then(() => done(), done);
  }

  override _final(done: (err?: Error | null) => void): void {
    this.endMember().then(() => {
      this.push(null);
      done();
    }, done);
  }

  override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    this.deflating?.gz.destroy();
    done(err);
  }

  private async writeChunk(chunk: Buffer): Promise<void> {
    await this.adapt(chunk);
    if (this.current === 0 && crc32) return this.writeStored(chunk, crc32);
    const { gz } = this.deflating ?? this.startDeflate(this.current);
    if (!gz.write(chunk)) await new Promise<void>((resolve) => gz.once('drain', () => resolve()));
  }

  private async adapt(chunk: Buffer): Promise<void> {
    this.sinceProbe += chunk.length;
    if (this.sinceProbe < PROBE_EVERY || chunk.length < SAMPLE / 4) return;
    this.sinceProbe = 0;
    const want = isCompressible(chunk.subarray(0, SAMPLE)) ? this.level : 0;
    if (want === this.current) return;
    await this.endMember(); // the next member's bytes must follow this one's
    this.current = want;
  }

  private startDeflate(level: number): { gz: zlib.Gzip; ended: Promise<void> } {
    const gz = zlib.createGzip({ level });
    this.stats.members += 1;
    gz.on('data', (chunk: Buffer) => {
      this.stats.bytesOut += chunk.length;
      if (!this.push(chunk)) gz.pause();
    });
    gz.on('error', (err) => this.destroy(err));
    this.deflating = { gz, ended: new Promise((resolve) => gz.once('end', resolve)) };
    return this.deflating;
  }

  private async writeStored(chunk: Buffer, crc: (data: Buffer, value?: number) => number): Promise<void> {
    if (!this.stored) {
      this.stored = { crc: 0, size: 0 };
      this.stats.members += 1;
      await this.output(GZIP_HEADER);
    }
    this.stored.crc = crc(chunk, this.stored.crc);
    this.stored.size = (this.stored.size + chunk.length) % 2 ** 32;
    // One output buffer per input chunk: a 5-byte write per block would cost the HTTP upload
    // more than the copy does.
    const parts: Buffer[] = [];
    for (let at = 0; at < chunk.length; at += MAX_STORED_BLOCK) {
      const block = chunk.subarray(at, at + MAX_STORED_BLOCK);
      parts.push(storedBlockHeader(block.length, false), block);
    }
    await this.output(Buffer.concat(parts));
  }

  private async endMember(): Promise<void> {
    if (this.deflating) {
      const { gz, ended } = this.deflating;
      gz.end();
      await ended;
      this.deflating = undefined;
    }
    if (this.stored) {
      const trailer = Buffer.alloc(8);
      trailer.writeUInt32LE(this.stored.crc >>> 0, 0);
      trailer.writeUInt32LE(this.stored.size, 4);
      this.stored = undefined;
      await this.output(Buffer.concat([storedBlockHeader(0, true), trailer]));
    }
  }

  /** Pushes output, waiting for the reader when its buffer is full (bounded memory). */
  private output(buf: Buffer): Promise<void> {
    this.stats.bytesOut += buf.length;
    if (this.push(buf)) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }
}

/** BFINAL bit + BTYPE 00, then LEN and its one's complement, little-endian (RFC 1951 §3.2.4). */
function storedBlockHeader(length: number, final: boolean): Buffer {
  const header = Buffer.alloc(5);
  header[0] = final ? 1 : 0;
  header.writeUInt16LE(length, 1);
  header.writeUInt16LE(~length & 0xffff, 3);
  return header;
}

export function isCompressible(sample: Buffer): boolean {
  return zlib.deflateRawSync(sample, { level: 1 }).length < sample.length * INCOMPRESSIBLE;
}
