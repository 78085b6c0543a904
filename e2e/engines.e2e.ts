/**
 * transfer-image between an Engine 20.10 (classic image store) and Engine 26 with the
 * containerd image store, where one image has two IDs: its config digest there, its manifest
 * digest here. Runs on the containerd leg of scripts/test.mjs, which starts Engine 26
 * (scripts/modern-engine.sh) and names the 20.10 engine in DOCKCONV_LEGACY_HOST.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUSYBOX_IMAGE, REPO_ROOT, docker, ensureEngine, removeImages } from './helpers/engine';
import { countingProxy, startSecondEngine, type SecondEngine } from './helpers/second-engine';
import { transfer } from './helpers/transfer';

const legacyHost = process.env['DOCKCONV_LEGACY_HOST'];
const modernHost = process.env['DOCKER_HOST'] ?? '';
const BASE = 'dockconv-engines-base:e2e';
const DERIVED = 'dockconv-engines-derived:e2e';
/** Built on the legacy engine from BASE. */
const LEGACY_DERIVED = 'dockconv-engines-legacy-derived:e2e';
/** Built by BuildKit on the containerd-store engine: its layers are compressed blobs there. */
const KIT_BASE = 'dockconv-engines-kit-base:e2e';
const KIT_DERIVED = 'dockconv-engines-kit-derived:e2e';
const ALL = [BASE, DERIVED, LEGACY_DERIVED, KIT_BASE, KIT_DERIVED];
const socketOf = (host: string) => host.replace(/^unix:\/\//, '');
const BASE_LAYER = 300 * 1024;
const DERIVED_LAYER = 100 * 1024;

/** The 20.10 engine as its users drive it: no buildx, so the legacy builder. */
const legacyEnv = () => ({ ...process.env, DOCKER_HOST: legacyHost, DOCKER_CONFIG: mkdtempSync(join(tmpdir(), 'dockconv-nobuildx-')) });
const onLegacy = (args: string[]) => docker(args, legacyEnv());

function build(tag: string, dockerfile: string, files: Record<string, Buffer>, env: NodeJS.ProcessEnv = process.env): void {
  const dir = mkdtempSync(join(tmpdir(), 'dockconv-engines-ctx-'));
  writeFileSync(join(dir, 'Dockerfile'), dockerfile);
  for (const [name, body] of Object.entries(files)) writeFileSync(join(dir, name), body);
  docker(['build', '-q', '-t', tag, dir], env);
}

const layers = (run: (args: string[]) => string, ref: string) => run(['image', 'inspect', '--format', '{{json .RootFS.Layers}}', ref]);
const idOf = (run: (args: string[]) => string, ref: string) => run(['image', 'inspect', '--format', '{{.Id}}', ref]);

const containerdStore = () => docker(['info', '--format', '{{json .DriverStatus}}']).includes('io.containerd.snapshotter');

describe('transfer-image between Engine 20.10 (classic store) and an engine with the containerd image store', { skip: legacyHost ? false : 'DOCKCONV_LEGACY_HOST names no Engine 20.10 (set on the containerd leg of scripts/test.mjs)' }, () => {
  let dest: SecondEngine;

  before(async () => {
    ensureEngine();
    assert.ok(containerdStore(), `DOCKER_HOST (${modernHost}) keeps images in the classic store; this suite needs the containerd store`);
    execFileSync('bash', [join(REPO_ROOT, 'scripts/busybox-image.sh'), BUSYBOX_IMAGE], { stdio: 'inherit', env: legacyEnv() });
    build(BASE, `FROM ${BUSYBOX_IMAGE}\nCOPY base.bin /base.bin\nCMD ["sh","-c","echo base runs"]\n`, { 'base.bin': randomBytes(BASE_LAYER) }, legacyEnv());
    removeImages(ALL);
    for (const ref of ALL.slice(1)) {
      try {
        onLegacy(['rmi', ref]);
      } catch {
        // not there
      }
    }
    dest = await startSecondEngine('containerd');
    dest.clear();
  });
  after(async () => {
    removeImages(ALL);
    for (const ref of ALL) {
      try {
        onLegacy(['rmi', ref]);
      } catch {
        // not there
      }
    }
    await dest?.stop();
  });

  it('20.10 → 26 containerd: arrives whole under its manifest digest, layers verified, runs', async () => {
    const { success, out } = await transfer({ image: BASE, to: modernHost }, { DOCKER_HOST: legacyHost });
    assert.equal(success, true, out);
    assert.match(out, /layers verified \(classic store to containerd store: the image IDs differ by design\)/);
    assert.equal(layers(docker, BASE), layers(onLegacy, BASE));
    assert.notEqual(idOf(docker, BASE), idOf(onLegacy, BASE));
    assert.equal(docker(['run', '--rm', '--network', 'none', BASE]), 'base runs');
  });

  it('20.10 → containerd store holding the base: only the new layer crosses, under the ID a plain load gives', async () => {
    build(LEGACY_DERIVED, `FROM ${BASE}\nCOPY extra.bin /extra.bin\n`, { 'extra.bin': randomBytes(DERIVED_LAYER) }, legacyEnv());
    const proxy = await countingProxy(socketOf(modernHost), join(tmpdir(), `dockconv-engines-thin-${process.pid}.sock`));
    try {
      const { success, out } = await transfer({ image: LEGACY_DERIVED, to: proxy.host }, { DOCKER_HOST: legacyHost });
      assert.equal(success, true, out);
      assert.match(out, /1 layer\(s\) to send/);
      assert.ok(proxy.uploaded() < BASE_LAYER, `${proxy.uploaded()} bytes crossed: the base layer must stay behind`);
      // Engine 29 refuses requests pinned below API 1.44; unversioned ones get the engine's own.
      const pinned = proxy.requests().filter((line) => Number(/ \/v1\.(\d+)\//.exec(line)?.[1] ?? 99) < 44);
      assert.deepEqual(pinned, [], 'no Engine API request pins an old version');
    } finally {
      await proxy.close();
    }
    assert.equal(docker(['run', '--rm', '--network', 'none', LEGACY_DERIVED, 'sh', '-c', 'wc -c < /extra.bin; wc -c < /base.bin']), `${DERIVED_LAYER}\n${BASE_LAYER}`);
    // The second engine, loaded the plain way, names it alike: one image, one ID, however it came.
    execFileSync('sh', ['-c', `docker --host ${legacyHost} save ${LEGACY_DERIVED} | docker --host ${dest.host} load -q`], { env: legacyEnv() });
    assert.equal(idOf(docker, LEGACY_DERIVED), idOf(dest.docker, LEGACY_DERIVED));
    dest.clear();
  });

  it('containerd store (BuildKit, compressed layers) → 20.10 holding the base: only the new layer crosses', async () => {
    build(KIT_BASE, `FROM ${BASE}\nCOPY kit.bin /kit.bin\n`, { 'kit.bin': randomBytes(BASE_LAYER) });
    const first = await transfer({ image: KIT_BASE, to: legacyHost });
    assert.equal(first.success, true, first.out);
    build(KIT_DERIVED, `FROM ${KIT_BASE}\nCOPY extra.bin /extra.bin\n`, { 'extra.bin': randomBytes(DERIVED_LAYER) });
    // Engine 20.10 is the machine's own, with every other suite's images: their inspections would
    // swamp a byte count at its socket, so the load's own count is read.
    const { success, out } = await transfer({ image: KIT_DERIVED, to: legacyHost });
    assert.equal(success, true, out);
    const [, amount, unit] = /([\d.]+) (B|kB|MB) sent/.exec(out) ?? [];
    const sent = Number(amount) * (unit === 'MB' ? 1e6 : unit === 'kB' ? 1e3 : 1);
    assert.ok(sent > DERIVED_LAYER && sent < BASE_LAYER, `${amount} ${unit} sent: the base's compressed layers must stay behind\n${out}`);
    assert.equal(onLegacy(['run', '--rm', '--network', 'none', KIT_DERIVED, 'sh', '-c', 'wc -c < /extra.bin; wc -c < /kit.bin']), `${DERIVED_LAYER}\n${BASE_LAYER}`);
  });

  it('20.10 → a containerd store holding the base only as its own compressed blobs: says why, sends every layer gzipped, runs', async () => {
    // The 20.10 engine has KIT_BASE from the transfer above; here it is BuildKit's own image.
    build(LEGACY_DERIVED, `FROM ${KIT_BASE}\nCOPY more.bin /more.bin\n`, { 'more.bin': Buffer.alloc(DERIVED_LAYER, 7) }, legacyEnv());
    const before = new Set(docker(['images', '--all', '--quiet', '--no-trunc']).split('\n'));
    const { success, out } = await transfer({ image: LEGACY_DERIVED, to: modernHost }, { DOCKER_HOST: legacyHost });
    assert.equal(success, true, out);
    assert.match(out, /no thin archive for .*only under digests the source cannot name.*sending every layer, gzip/);
    assert.equal(docker(['run', '--rm', '--network', 'none', LEGACY_DERIVED, 'sh', '-c', 'wc -c < /more.bin']), String(DERIVED_LAYER));
    const added = docker(['images', '--all', '--quiet', '--no-trunc']).split('\n').filter((id) => !before.has(id));
    assert.deepEqual(added, [idOf(docker, LEGACY_DERIVED)], 'the thin attempt left nothing behind');
  });

  it('26 containerd (BuildKit) → 20.10: arrives under its config digest and runs there', async () => {
    build(DERIVED, `FROM ${BASE}\nCOPY extra.bin /extra.bin\n`, { 'extra.bin': randomBytes(DERIVED_LAYER) });
    const { success, out } = await transfer({ image: DERIVED, to: legacyHost });
    assert.equal(success, true, out);
    assert.match(out, /layers verified \(containerd store to classic store/);
    assert.equal(layers(onLegacy, DERIVED), layers(docker, DERIVED));
    assert.equal(onLegacy(['run', '--rm', '--network', 'none', DERIVED, 'sh', '-c', 'wc -c < /extra.bin']), String(DERIVED_LAYER));
  });

  it('26 containerd → 26 containerd holding the base: only the new layer crosses, the image is whole', async () => {
    // The destination gets base from the 20.10 engine: the same manifest, so the same ID, as here.
    const first = await transfer({ image: BASE, to: dest.host }, { DOCKER_HOST: legacyHost });
    assert.equal(first.success, true, first.out);
    assert.equal(idOf(dest.docker, BASE), idOf(docker, BASE));
    const proxy = await countingProxy(dest.socket, join(tmpdir(), `dockconv-engines-${process.pid}.sock`));
    try {
      const { success, out } = await transfer({ image: DERIVED, to: proxy.host });
      assert.equal(success, true, out);
      assert.equal(idOf(dest.docker, DERIVED), idOf(docker, DERIVED));
      assert.match(dest.docker(['images', '--quiet', '--no-trunc']), new RegExp(idOf(docker, DERIVED)), 'listed: held whole');
      assert.equal(dest.docker(['run', '--rm', '--network', 'none', DERIVED, 'sh', '-c', 'wc -c < /extra.bin']), String(DERIVED_LAYER));
      const crossed = proxy.uploaded();
      assert.ok(crossed < BASE_LAYER, `${crossed} bytes crossed: the base layer must stay behind`);
    } finally {
      await proxy.close();
    }
  });

  it('a destination holding the layers under another manifest only is sent the blobs (never a thin image it cannot unpack)', async () => {
    // Same layers, another image: the destination has the content unpacked, but it lists no
    // image whose manifest the source knows, so nothing may be left out.
    const ctx = mkdtempSync(join(tmpdir(), 'dockconv-engines-ctx-'));
    writeFileSync(join(ctx, 'Dockerfile'), `FROM ${BASE}\nLABEL other=manifest\n`);
    dest.docker(['build', '-q', '-t', 'dockconv-engines-other:e2e', ctx]);
    dest.docker(['rmi', BASE, DERIVED]);
    const proxy = await countingProxy(dest.socket, join(tmpdir(), `dockconv-engines-trap-${process.pid}.sock`));
    try {
      const { success, out } = await transfer({ image: DERIVED, to: proxy.host });
      assert.equal(success, true, out);
      assert.ok(proxy.uploaded() > BASE_LAYER, `${proxy.uploaded()} bytes crossed: the base layer's blob had to travel`);
      assert.equal(dest.docker(['run', '--rm', '--network', 'none', DERIVED, 'sh', '-c', 'wc -c < /base.bin']), String(BASE_LAYER));
    } finally {
      await proxy.close();
    }
  });
});
