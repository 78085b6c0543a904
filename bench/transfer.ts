/**
 * transfer-image against plain docker pipelines, side by side in one run, into a second real
 * engine (a dockerd on its own socket; see e2e/helpers/second-engine.ts):
 *   (a) the destination already has the base: bytes on the wire (counted by a unix-socket proxy)
 *       and time, vs `docker save | gzip | docker load`;
 *   (b) empty destination: time vs raw `docker save | docker load` (ours by default, which sends
 *       a local engine the archive uncompressed, and ours forced to gzip; plus gzip -1 / pigz -1
 *       pipelines, to show what compression costs on incompressible data);
 *   (c) planning over ssh against a destination with 40 images that the source holds too:
 *       docker-modem's ssh transport against ours, with and without reading shared images on
 *       the source.
 *   (p) a row per pair of image stores (classic → classic, classic → containerd, containerd →
 *       classic, containerd → containerd), the destination holding the base as a plain
 *       `docker save | docker load` left it: bytes on the wire against `save | gzip | load`, time
 *       against the destination's own `docker save` of the image. The classic source is the
 *       Engine 20.10 DOCKCONV_LEGACY_HOST names (legacy builder), the containerd source the
 *       DOCKER_HOST engine (BuildKit: its layers are compressed blobs); each source builds its
 *       own base. Destinations are second engines of each kind (of DOCKCONV_MODERN_SUITE's suite).
 * Image: a 200 MB random base layer + a 1 MB random top layer (random = worst case for gzip).
 *
 *   node --import tsx bench/transfer.ts [repetitions=3] [sections=abc]
 *   eval "$(bash scripts/modern-engine.sh containerd)"; DOCKCONV_LEGACY_HOST=unix:///var/run/docker.sock \
 *     node --import tsx bench/transfer.ts 3 p
 *
 * Engines: the source is DOCKER_HOST's; the destination's kind is DOCKCONV_ENGINE2_KIND
 * (`legacy`: Engine 20.10; `containerd` / `classic`: Engine 26 with that image store). For a
 * containerd-store destination (a) also times that engine's own `docker save` of the image, the
 * floor of any load into it that goes through the Engine API.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, openSync, rmSync, writeSync, closeSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { BUSYBOX_IMAGE, docker, ensureEngine } from '../e2e/helpers/engine';
import { countingProxy, startSecondEngine, startSshd, type SecondEngine } from '../e2e/helpers/second-engine';
import { currentEngine, parseDestination } from '../src/lib/docker/endpoint';
import { openEngineApi } from '../src/lib/docker/engine-api';
import { destinationState } from '../src/lib/transfer/inventory';
import type { Compression } from '../src/lib/transfer/compress';
import { transferImages } from '../src/lib/transfer/transfer';

const REPS = Number(process.argv[2] ?? 3);
const SECTIONS = process.argv[3] ?? 'abc';
const BASE = 'dockconv-bench-base:latest';
const TOP = 'dockconv-bench-top:latest';
const SSH_IMAGES = 40;

function randomFile(path: string, bytes: number): void {
  const fd = openSync(path, 'w');
  for (let left = bytes; left > 0; left -= 1 << 20) writeSync(fd, randomBytes(Math.min(left, 1 << 20)));
  closeSync(fd);
}

function buildImages(): void {
  buildImagesWith(process.env);
}

/** The base and top images on the engine `env` names. */
function buildImagesWith(env: NodeJS.ProcessEnv): void {
  const dir = mkdtempSync(join(tmpdir(), 'dockconv-bench-'));
  randomFile(join(dir, 'big.bin'), 200 * 1024 * 1024);
  randomFile(join(dir, 'small.bin'), 1024 * 1024);
  writeFileSync(join(dir, 'Dockerfile.base'), `FROM ${BUSYBOX_IMAGE}\nCOPY big.bin /big.bin\n`);
  writeFileSync(join(dir, 'Dockerfile.top'), `FROM ${BASE}\nCOPY small.bin /small.bin\n`);
  writeFileSync(join(dir, '.dockerignore'), 'Dockerfile.*\n');
  docker(['build', '-q', '-f', join(dir, 'Dockerfile.base'), '-t', BASE, dir], env);
  docker(['build', '-q', '-f', join(dir, 'Dockerfile.top'), '-t', TOP, dir], env);
  rmSync(dir, { recursive: true, force: true });
}

/**
 * A shell pipeline of fixed strings (the baselines are shell pipelines by definition). Async:
 * the counting proxy lives in this process, so blocking here would deadlock the pipeline.
 */
function pipeline(command: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', command], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command}: exit ${code}`))));
  });
}

async function timed(fn: () => Promise<unknown> | unknown): Promise<number> {
  const t0 = performance.now();
  await fn();
  return (performance.now() - t0) / 1000;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

async function tool(to: string, compress: Compression = 'auto'): Promise<void> {
  await transferImages({ images: [TOP], to, compress, log: () => undefined, progress: 'none' });
}

function removeTop(dest: SecondEngine): void {
  dest.docker(['rmi', '-f', TOP]);
}

/** (a): the destination has the base; only the top layer should travel. */
async function withBase(dest: SecondEngine): Promise<void> {
  dest.clear();
  await transferImages({ images: [BASE], to: dest.host, log: () => undefined, progress: 'none' });
  const proxy = await countingProxy(dest.socket, join(tmpdir(), `dockconv-bench-${process.pid}.sock`));
  const rows = { tool: { t: [] as number[], b: [] as number[] }, gzip: { t: [] as number[], b: [] as number[] }, save: [] as number[], destSave: [] as number[] };
  try {
    for (let i = 0; i < REPS; i++) {
      let before = proxy.uploaded();
      rows.tool.t.push(await timed(() => tool(proxy.host)));
      rows.tool.b.push(proxy.uploaded() - before);
      rows.destSave.push(await timed(() => pipeline(`docker --host ${dest.host} save ${TOP} > /dev/null`)));
      removeTop(dest);
      before = proxy.uploaded();
      rows.gzip.t.push(await timed(() => pipeline(`docker save ${TOP} | gzip | docker --host ${proxy.host} load -q`)));
      rows.gzip.b.push(proxy.uploaded() - before);
      removeTop(dest);
      // The floor for any tool that goes through the Engine API: exporting the image at all.
      rows.save.push(await timed(() => pipeline(`docker save ${TOP} > /dev/null`)));
    }
  } finally {
    await proxy.close();
  }
  const [tt, tb, gt, gb] = [median(rows.tool.t), median(rows.tool.b), median(rows.gzip.t), median(rows.gzip.b)];
  console.log('\n(a) destination already has the 200 MB base; sending base + 1 MB top image');
  console.log(`  transfer-image                       ${tt.toFixed(2)} s  ${mb(tb)} on the wire`);
  console.log(`  docker save | gzip | docker load     ${gt.toFixed(2)} s  ${mb(gb)} on the wire`);
  console.log(`  docker save > /dev/null (the floor)  ${median(rows.save).toFixed(2)} s`);
  console.log(`  the destination's own docker save    ${median(rows.destSave).toFixed(2)} s  (transfer-image: ${(tt / median(rows.destSave)).toFixed(2)}x)`);
  console.log(`  ratios: ${(gb / tb).toFixed(0)}x fewer bytes, ${(gt / tt).toFixed(1)}x faster; the floor alone would be ${(gt / median(rows.save)).toFixed(1)}x`);
}

/** (b): empty destination; everything travels. */
async function empty(dest: SecondEngine): Promise<void> {
  const contenders: [string, () => Promise<void>][] = [
    ['transfer-image (auto: same machine, no gzip)', () => tool(dest.host)],
    ['transfer-image --compress=gzip', () => tool(dest.host, 'gzip')],
    ['docker save | docker load', () => pipeline(`docker save ${TOP} | docker --host ${dest.host} load -q`)],
    ['docker save | gzip -1 | docker load', () => pipeline(`docker save ${TOP} | gzip -1 | docker --host ${dest.host} load -q`)],
    ['docker save | pigz -1 | docker load', () => pipeline(`docker save ${TOP} | pigz -1 | docker --host ${dest.host} load -q`)],
  ];
  const times = new Map<string, number[]>(contenders.map(([name]) => [name, []]));
  for (let i = 0; i < REPS; i++) {
    for (const [name, fn] of contenders) {
      dest.clear();
      times.get(name)?.push(await timed(fn));
    }
  }
  console.log('\n(b) empty destination; sending base + top (201 MB)');
  const raw = median(times.get('docker save | docker load') ?? []);
  for (const [name, ts] of times) {
    console.log(`  ${name.padEnd(44)} ${median(ts).toFixed(2)} s  (${(median(ts) / raw).toFixed(2)}x raw)`);
  }
}

/**
 * (c): planning over ssh against a destination holding many images, all also on the source (as
 * when this machine fed it): docker-modem's own ssh transport (a login per request), ours (one
 * connection), and ours reading the images both engines hold on the source (what transfer-image
 * does).
 */
async function sshPlanning(dest: SecondEngine): Promise<void> {
  const sshd = await startSshd(mkdtempSync(join(tmpdir(), 'dockconv-bench-sshd-')), dest.host);
  if (typeof sshd === 'string') return console.log(`\n(c) skipped: ${sshd}`);
  dest.clear();
  const ctx = mkdtempSync(join(tmpdir(), 'dockconv-bench-many-'));
  const many = Array.from({ length: SSH_IMAGES }, (_, i) => `dockconv-bench-many:${i}`);
  many.forEach((ref, i) => {
    writeFileSync(join(ctx, 'Dockerfile'), `FROM ${BUSYBOX_IMAGE}\nLABEL n=${i}\n`);
    docker(['build', '-q', '-t', ref, ctx]);
  });
  await pipeline(`docker save ${many.join(' ')} | docker --host ${dest.host} load -q`);
  const endpoint = parseDestination(`ssh://root@127.0.0.1:${sshd.port}`, { ...process.env, SSH_KEY: sshd.key, HOME: sshd.home, PATH: sshd.path });
  const ours = openEngineApi(endpoint);
  // docker-modem's own ssh transport (ssh2, a login per request), with the same key.
  const modem = { ...endpoint.options, sshOptions: { privateKey: readFileSync(sshd.key) } };
  const local = openEngineApi(currentEngine());
  const viaModem = openEngineApi({ ...endpoint, ssh: undefined, options: modem });
  const times = { modem: [] as number[], ours: [] as number[], shared: [] as number[] };
  try {
    for (let i = 0; i < REPS; i++) {
      times.modem.push(await timed(() => destinationState(viaModem)));
      times.ours.push(await timed(() => destinationState(ours)));
      times.shared.push(await timed(() => destinationState(ours, local)));
    }
  } finally {
    ours.close();
    local.close();
    viaModem.close();
    sshd.stop();
    rmSync(ctx, { recursive: true, force: true });
    docker(['rmi', ...many]);
  }
  console.log(`\n(c) planning over ssh (a local sshd) against a destination with ${SSH_IMAGES} images, all also on the source`);
  console.log(`  docker-modem's ssh transport (a login per request)       ${median(times.modem).toFixed(2)} s`);
  console.log(`  one ssh connection, every image inspected across         ${median(times.ours).toFixed(2)} s`);
  console.log(`  one ssh connection, shared images read on the source     ${median(times.shared).toFixed(2)} s   (transfer-image)`);
}

function mb(bytes: number): string {
  return bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${(bytes / 1e3).toFixed(1)} kB`;
}

/** Section (b) times pigz and (c) needs an sshd: say what to install before spending minutes. */
function checkTools(): void {
  const needed: [string, string, string][] = [
    ['b', 'pigz', 'pigz'],
    ['c', 'sshd', 'openssh-server'],
  ];
  const missing = needed.filter(([section, tool]) => SECTIONS.includes(section) && !onPath(tool));
  if (missing.length === 0) return;
  const packages = missing.map(([, , pkg]) => pkg).join(' ');
  throw new Error(`bench/transfer.ts needs ${missing.map(([, tool]) => tool).join(', ')}: apt-get install -y ${packages} (or run only sections ${'abc'.replace(new RegExp(`[${missing.map(([s]) => s).join('')}]`, 'g'), '') || 'a'})`);
}

function onPath(tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${tool} || test -x /usr/sbin/${tool}`], { stdio: 'ignore' }).status === 0;
}

interface Pair {
  name: string;
  source: string;
  dest: SecondEngine;
}

/** (p): one row per pair of stores; the destination holds the base the plain way. */
async function pairs(): Promise<void> {
  const legacy = process.env['DOCKCONV_LEGACY_HOST'];
  const modern = process.env['DOCKER_HOST'];
  if (!legacy || !modern) throw new Error('section p needs DOCKCONV_LEGACY_HOST (Engine 20.10) and DOCKER_HOST (a containerd-store engine)');
  const legacyEnv = { ...process.env, DOCKER_HOST: legacy, DOCKER_CONFIG: mkdtempSync(join(tmpdir(), 'dockconv-nobuildx-')) };
  const [classicDest, containerdDest] = [await startSecondEngine('legacy'), await startSecondEngine('containerd')];
  const list: Pair[] = [
    { name: 'classic → classic', source: legacy, dest: classicDest },
    { name: 'classic → containerd', source: legacy, dest: containerdDest },
    { name: 'containerd → classic', source: modern, dest: classicDest },
    { name: 'containerd → containerd', source: modern, dest: containerdDest },
  ];
  try {
    spawnSync('bash', ['scripts/busybox-image.sh', BUSYBOX_IMAGE], { stdio: 'inherit', env: legacyEnv });
    for (const env of [legacyEnv, process.env]) buildImagesWith(env);
    console.log('\n(p) a row per pair of image stores; the destination holds the 200 MB base; sending base + 1 MB top');
    console.log('  pair                      transfer-image        save | gzip | load    bytes   dest save  src save  /dest   /max(saves)');
    for (const pair of list) await pairRow(pair);
  } finally {
    for (const env of [legacyEnv, process.env]) spawnSync('docker', ['rmi', '-f', TOP, BASE], { env, stdio: 'ignore' });
    for (const dest of [classicDest, containerdDest]) {
      dest.clear();
      await dest.stop();
    }
  }
}

async function pairRow({ name, source, dest }: Pair): Promise<void> {
  dest.clear();
  await pipeline(`docker --host ${source} save ${BASE} | docker --host ${dest.host} load -q`);
  const proxy = await countingProxy(dest.socket, join(tmpdir(), `dockconv-bench-pair-${process.pid}.sock`));
  const rows = { tool: { t: [] as number[], b: [] as number[] }, gzip: { t: [] as number[], b: [] as number[] }, destSave: [] as number[], srcSave: [] as number[] };
  try {
    for (let i = 0; i < REPS; i++) {
      rows.srcSave.push(await timed(() => pipeline(`docker --host ${source} save ${TOP} > /dev/null`)));
      let before = proxy.uploaded();
      rows.tool.t.push(await timed(() => transferImages({ images: [TOP], to: proxy.host, source: parseDestination(source), log: () => undefined, progress: 'none' })));
      rows.tool.b.push(proxy.uploaded() - before);
      rows.destSave.push(await timed(() => pipeline(`docker --host ${dest.host} save ${TOP} > /dev/null`)));
      removeTop(dest);
      before = proxy.uploaded();
      rows.gzip.t.push(await timed(() => pipeline(`docker --host ${source} save ${TOP} | gzip | docker --host ${proxy.host} load -q`)));
      rows.gzip.b.push(proxy.uploaded() - before);
      removeTop(dest);
    }
  } finally {
    await proxy.close();
  }
  const [tt, tb, gt, gb, ds, ss] = [median(rows.tool.t), median(rows.tool.b), median(rows.gzip.t), median(rows.gzip.b), median(rows.destSave), median(rows.srcSave)];
  const cell = (t: number, b: number) => `${t.toFixed(2)} s ${mb(b).padStart(9)}`;
  // Any transfer through the Engine API exports the whole image on the source first.
  const floor = Math.max(ds, ss);
  console.log(`  ${name.padEnd(25)} ${cell(tt, tb)}   ${cell(gt, gb)}   ${`${(gb / tb).toFixed(0)}x`.padStart(5)}   ${ds.toFixed(2)} s   ${ss.toFixed(2)} s   ${(tt / ds).toFixed(2)}x   ${(tt / floor).toFixed(2)}x`);
}

async function main(): Promise<void> {
  checkTools();
  ensureEngine();
  if (SECTIONS === 'p') return pairs();
  const dest = await startSecondEngine();
  try {
    buildImages();
    console.log(`repetitions: ${REPS} (medians); engines: ${docker(['version', '--format', '{{.Server.Version}}'])} -> ${dest.docker(['version', '--format', '{{.Server.Version}}'])}`);
    if (SECTIONS.includes('a')) await withBase(dest);
    if (SECTIONS.includes('b')) await empty(dest);
    if (SECTIONS.includes('c')) await sshPlanning(dest);
    if (SECTIONS.includes('p')) await pairs();
  } finally {
    dest.clear();
    docker(['rmi', '-f', TOP, BASE]);
    dest.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
