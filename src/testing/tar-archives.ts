/** Tar archives for tests: written from a list of members, read back into name → content. */
import { Readable } from 'node:stream';
import * as tar from 'tar-stream';

export interface Member {
  name: string;
  body?: string | Buffer;
  type?: 'file' | 'directory';
}

export function tarOf(members: readonly Member[]): Readable {
  const pack = tar.pack();
  for (const m of members) {
    if (m.type === 'directory') pack.entry({ name: m.name, type: 'directory' });
    else pack.entry({ name: m.name }, m.body ?? '');
  }
  pack.finalize();
  return Readable.from(pack);
}

export async function readTar(stream: Readable): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  const extract = tar.extract();
  stream.on('error', (err) => extract.destroy(err));
  stream.pipe(extract);
  for await (const entry of extract) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    out.set(entry.header.name, Buffer.concat(chunks));
  }
  return out;
}
