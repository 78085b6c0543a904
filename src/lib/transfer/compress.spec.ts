import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gunzipSync } from 'node:zlib';
import { AdaptiveGzip, compresses, isCompressible, Uncompressed } from './compress';

async function gzipAll(chunks: Buffer[]): Promise<{ out: Buffer; gz: AdaptiveGzip }> {
  const gz = new AdaptiveGzip(1);
  const parts: Buffer[] = [];
  await pipeline(Readable.from(chunks), gz, async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) parts.push(chunk);
  });
  return { out: Buffer.concat(parts), gz };
}

test('a stored member is valid gzip on its own (header, 64 KiB blocks, CRC trailer)', async () => {
  const random = randomBytes(300 * 1024);
  const { out, gz } = await gzipAll([random.subarray(0, 200 * 1024), random.subarray(200 * 1024)]);
  assert.deepEqual(gunzipSync(out), random);
  assert.ok(out.length < random.length + 128, `${out.length} bytes`);
  assert.equal(gz.stats.members, 1);
});

test('the probe tells random bytes from text', () => {
  assert.equal(isCompressible(randomBytes(16384)), false);
  assert.equal(isCompressible(Buffer.from('hello layer '.repeat(2000))), true);
});

test('mixed data round-trips as one ordinary gzip stream', async () => {
  const text = Buffer.from('some text that compresses well\n'.repeat(140000)); // ~4.3 MB
  const random = randomBytes(3 * 1024 * 1024);
  const chunks = [text, random, text].flatMap((b) => Array.from({ length: Math.ceil(b.length / 65536) }, (_, i) => b.subarray(i * 65536, (i + 1) * 65536)));
  const { out, gz } = await gzipAll(chunks);
  assert.deepEqual(gunzipSync(out), Buffer.concat([text, random, text]));
  assert.equal(gz.stats.bytesIn, text.length * 2 + random.length);
  // Random data is stored (≈ its own size, not inflated); text shrinks, except for up to one
  // probe interval (1 MiB) after each switch back.
  assert.ok(out.length < random.length * 1.01 + 2 * 1024 * 1024, `${out.length} bytes`);
  assert.equal(gz.stats.members, 3);
});

test('auto compresses only across a network; gzip and none are what they say', () => {
  const [here, there] = [{ local: true }, { local: false }];
  assert.deepEqual(
    (['auto', 'gzip', 'none'] as const).map((mode) => [compresses(mode, here), compresses(mode, there)]),
    [[false, true], [true, true], [false, false]],
  );
});

test('uncompressed passes the archive through byte for byte, counted', async () => {
  const data = [randomBytes(70000), Buffer.from('tail')];
  const plain = new Uncompressed();
  const parts: Buffer[] = [];
  await pipeline(Readable.from(data), plain, async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) parts.push(chunk);
  });
  assert.deepEqual(Buffer.concat(parts), Buffer.concat(data));
  assert.deepEqual(plain.stats, { bytesIn: 70004, bytesOut: 70004, members: 0 });
});
