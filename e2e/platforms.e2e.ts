/**
 * Images for other machines: a base of real amd64 and arm64 busybox binaries (Debian's
 * busybox-static of each architecture; the arm64 RUN steps run under qemu-user-static, which
 * scripts/ensure-emulation.sh registers) and images derived from it, built as one multi-platform
 * image where the engine can hold one (BuildKit, containerd image store): run on the host's
 * platform and under emulation, published (the registry's index lists both), transferred (the
 * destination gets its own platform) and a transfer of a platform the destination cannot run
 * refused. Elsewhere the build names what it needs.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { docker, ensureEngine, imageIdOf, REPO_ROOT, removeImages } from './helpers/engine';
import { startRegistry, type TestRegistry } from './helpers/registry';
import { startSecondEngine, type SecondEngine } from './helpers/second-engine';
import { transfer } from './helpers/transfer';
import { createWorkspace, output, projectJson, type TestWorkspace } from './helpers/workspace';

const TAG = `e2e${Date.now().toString(36)}`;
const ref = (image: string) => `multi-${image}:${TAG}`;
const containerdStore = docker(['info', '--format', '{{json .DriverStatus}}']).includes('io.containerd.snapshotter');
const buildKit = spawnSync('docker', ['buildx', 'version'], { stdio: 'ignore' }).status === 0;
const emulation = existsSync('/proc/sys/fs/binfmt_misc/qemu-aarch64') && readFileSync('/proc/sys/fs/binfmt_misc/qemu-aarch64', 'utf8').startsWith('enabled');
const multiPlatform = containerdStore && buildKit;
const why = !multiPlatform ? 'needs BuildKit and the containerd image store' : !emulation ? 'no arm64 emulation (scripts/ensure-emulation.sh)' : false;

const files = (registry = 'localhost:1'): Record<string, string> => ({
  'apps/multi/project.json': projectJson('multi'),
  // Each platform's RUN copies its own busybox in place with the amd64 one, which runs natively
  // here on every platform; from then on the image's own busybox runs (arm64: under qemu).
  'apps/multi/docker/base/Dockerfile': [
    'FROM scratch',
    'ARG TARGETARCH',
    'COPY busybox-amd64 busybox-arm64 /opt/',
    'RUN ["/opt/busybox-amd64", "sh", "-c", "/opt/busybox-amd64 mkdir -p /bin && /opt/busybox-amd64 cp /opt/busybox-$TARGETARCH /bin/busybox && /bin/busybox --install -s /bin"]',
    '',
  ].join('\n'),
  'apps/multi/docker/dev/Dockerfile': 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nRUN uname -m > /arch\n',
  'apps/multi/docker/arm/Dockerfile': 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nRUN uname -m > /arch\n',
  // No RUN step: BuildKit makes it for a platform nothing here runs or emulates (no qemu for ia64).
  'apps/multi/docker/ia/Dockerfile': 'FROM scratch\nCOPY busybox-amd64 /bin/busybox\n',
  'apps/multi/docker/run.cfg': [
    '[DEFAULT]',
    `registry = ${registry}`,
    '[base]',
    'platforms = linux/amd64,linux/arm64',
    '[dev]',
    'cmd = cat /arch',
    '[arm]',
    'platforms = linux/arm64',
    'cmd = cat /arch',
    '[ia]',
    'platforms = linux/ia64',
    'cmd = /bin/busybox true',
    '',
  ].join('\n'),
});

function workspace(registry?: string): TestWorkspace {
  const ws = createWorkspace(files(registry));
  copyFileSync('/bin/busybox', join(ws.root, 'apps/multi/busybox-amd64'));
  const arm64 = execFileSync('bash', [join(REPO_ROOT, 'scripts/foreign-busybox.sh'), 'arm64'], { encoding: 'utf8' }).trim();
  copyFileSync(arm64, join(ws.root, 'apps/multi/busybox-arm64'));
  return ws;
}

const arch = (image: string, platform?: string) => docker(['run', '--rm', '--network', 'none', ...(platform ? ['--platform', platform] : []), image, 'cat', '/arch']);

describe('multi-platform images', { skip: why }, () => {
  let ws: TestWorkspace;
  let registry: TestRegistry;
  let dest: SecondEngine;
  const nx = (args: string[]) => ws.nx([...args, '--output-style=static'], { env: { DOCKCONV_TAG: TAG } });

  before(async () => {
    ensureEngine();
    registry = await startRegistry();
    ws = workspace(registry.address);
    dest = await startSecondEngine('containerd');
  });
  after(async () => {
    removeImages(['base', 'dev', 'arm', 'ia'].map(ref));
    registry?.stop();
    ws?.remove();
    dest?.clear();
    await dest?.stop();
  });

  it('a derived image is built for its base\'s platforms: one image, each platform its own binaries', () => {
    const result = nx(['run', 'multi:docker-build', '--image=dev']);
    assert.equal(result.status, 0, output(result));
    assert.match(output(result), /--platform linux\/amd64,linux\/arm64/);
    assert.equal(arch(ref('dev')), 'x86_64');
    assert.equal(arch(ref('dev'), 'linux/arm64'), 'aarch64', 'the arm64 RUN ran the arm64 busybox under emulation');
  });

  it('docker-run runs the host platform; an arm64-only image runs where arm64 is emulated', () => {
    const dev = nx(['run', 'multi:docker-run', '--image=dev']);
    assert.equal(dev.status, 0, output(dev));
    assert.match(output(dev), /^x86_64$/m);
    const arm = nx(['run', 'multi:docker-run', '--image=arm', '--build']);
    assert.equal(arm.status, 0, output(arm));
    assert.match(output(arm), /^aarch64$/m);
  });

  it('docker-run refuses, before starting anything, an image whose platform this machine neither runs nor emulates', () => {
    const built = nx(['run', 'multi:docker-build', '--image=ia']);
    assert.equal(built.status, 0, output(built));
    const before = docker(['ps', '--all', '--quiet']);
    const run = nx(['run', 'multi:docker-run', '--image=ia']);
    assert.notEqual(run.status, 0);
    assert.match(output(run), new RegExp(`${ref('ia')} is for linux/ia64 and this engine runs linux/amd64, with no emulator for it on this machine: the container would end in "exec format error"`));
    assert.equal(docker(['ps', '--all', '--quiet']), before, 'no container was created');
  });

  it('publish-image pushes every platform: the registry\'s index lists both', async () => {
    const result = nx(['run', 'multi:publish-image:dev', '--tag=1.0.0']);
    assert.equal(result.status, 0, output(result));
    assert.deepEqual(await registry.platforms('multi-dev', '1.0.0'), ['linux/amd64', 'linux/arm64']);
    removeImages([`${registry.address}/multi-dev:1.0.0`]);
  });

  it('transfer-image sends the destination its own platform, and it runs there', async () => {
    const { success, out } = await transfer({ image: ref('dev'), to: dest.host });
    assert.equal(success, true, out);
    assert.equal(dest.docker(['run', '--rm', '--network', 'none', ref('dev'), 'cat', '/arch']), 'x86_64');
    const legacy = process.env['DOCKCONV_LEGACY_HOST'];
    if (!legacy) return;
    const toLegacy = await transfer({ image: ref('dev'), to: legacy });
    assert.equal(toLegacy.success, true, toLegacy.out);
    assert.equal(docker(['--host', legacy, 'run', '--rm', '--network', 'none', ref('dev'), 'cat', '/arch']), 'x86_64');
    docker(['--host', legacy, 'rmi', ref('dev')]);
  });

  it('an image with no platform the destination runs is refused in one line, before anything is sent', async () => {
    const { success, out } = await transfer({ image: ref('arm'), to: dest.host });
    assert.equal(success, false, out);
    assert.match(out, new RegExp(`${ref('arm')} is for linux/arm64; .* runs linux/amd64: nothing was sent`));
    assert.equal(dest.docker(['images', '--quiet', ref('arm')]), '');
  });
});

describe('several platforms where the engine cannot hold one image of them', { skip: multiPlatform ? 'this engine can' : false }, () => {
  let ws: TestWorkspace;

  before(() => {
    ensureEngine();
    ws = workspace();
  });
  after(() => {
    removeImages(['base', 'dev'].map(ref));
    ws?.remove();
  });

  it('the build says what it needs, and builds nothing', () => {
    const result = ws.nx(['run', 'multi:docker-build', '--image=dev'], { env: { DOCKCONV_TAG: TAG } });
    assert.notEqual(result.status, 0);
    assert.match(output(result), /multi:base is built for linux\/amd64,linux\/arm64: one image of several platforms needs BuildKit and the containerd image store/);
    assert.equal(imageIdOf(ref('base')), undefined);
  });
});
