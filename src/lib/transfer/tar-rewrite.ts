/**
 * The plumbing every archive rewrite shares: `docker save`'s tar read entry by entry and a new
 * tar written as it goes, so a transfer never holds an archive in memory. A failure anywhere
 * stops all three streams; the consumer going away (the destination closed the connection)
 * stops the source too.
 */
import { Readable } from 'node:stream';
import * as tar from 'tar-stream';

/** An archive member as tar-stream yields it (its type is not exported by name). */
export type Entry = tar.ExtractEvents['entry'][1];

export interface RewriteStats {
  layersSkipped: number;
  bytesSkipped: number;
  /** Classic layer folders that could not be matched to a layer (sent whole, to be safe). */
  unidentified: string[];
}

export function emptyStats(): RewriteStats {
  return { layersSkipped: 0, bytesSkipped: 0, unidentified: [] };
}

/** `write` reads every entry and writes the new archive's members; the archive is finalised after it. `cleanup` runs once the rewrite ends, however. */
export function rewriteTar(source: Readable, write: (entries: AsyncIterable<Entry>, pack: tar.Pack) => Promise<void>, cleanup: () => void = () => undefined): Readable {
  // Their errors reach the caller through `write` and the consumer of the returned stream; a
  // late one (see quiet) must not find them without a listener.
  const pack = quiet(tar.pack());
  const extract = quiet(tar.extract());
  const fail = (err: unknown) => {
    source.destroy();
    extract.destroy();
    cleanup();
    pack.destroy(err instanceof Error ? err : new Error(String(err)));
  };
  source.on('error', (err) => extract.destroy(err));
  source.pipe(extract);
  write(extract, pack).then(() => {
    pack.finalize();
    cleanup();
  }, fail);
  pack.on('close', () => {
    source.destroy();
    cleanup();
  });
  // A Node stream for consumers (tar-stream's are streamx streams).
  return Readable.from(pack);
}

/** Writes one member whose body is in memory. */
export function put(pack: tar.Pack, header: Partial<tar.Header> & { name: string }, body: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    pack.entry({ ...header, size: body.length }, body, (err) => (err ? reject(err) : resolve()));
  });
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
