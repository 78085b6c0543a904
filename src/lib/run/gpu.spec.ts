import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DockconvError } from '../errors';
import { cdiKinds } from './engine-host';
import type { EngineInfo } from '../docker/engine';
import { selectGpu, type HostGpuFacts } from './gpu';

// `docker info --format '{{json .}}'` excerpts as engines report them.
const RUNC_STATUS = { 'org.opencontainers.runtime-spec.features': '{"ociVersionMin":"1.0.0"}' };
const ENGINE_20_PLAIN: EngineInfo = {
  Runtimes: { 'io.containerd.runc.v2': { path: 'runc' }, 'io.containerd.runtime.v1.linux': { path: 'runc' }, runc: { path: 'runc' } },
};
/** nvidia-docker2, or `nvidia-ctk runtime configure --runtime=docker`. */
const ENGINE_24_NVIDIA_RUNTIME: EngineInfo = {
  Runtimes: { 'io.containerd.runc.v2': { path: 'runc' }, nvidia: { path: 'nvidia-container-runtime' }, runc: { path: 'runc' } },
};
/** A runtime registered under another name (`--nvidia-runtime-name`, or by hand). */
const ENGINE_26_RENAMED_RUNTIME: EngineInfo = {
  Runtimes: { 'io.containerd.runc.v2': { path: 'runc', status: RUNC_STATUS }, 'nv-legacy': { path: '/usr/bin/nvidia-container-runtime' } },
  CDISpecDirs: [],
};
/** Engine 25–28.2 with `features: {cdi: true}`: CDI dirs, but devices only in the spec files. */
const ENGINE_27_CDI: EngineInfo = { Runtimes: { runc: { path: 'runc' } }, CDISpecDirs: ['/etc/cdi', '/var/run/cdi'] };
/** Engine 28.3+ (API 1.50) lists what CDI found. */
const ENGINE_28_DISCOVERED: EngineInfo = {
  Runtimes: { runc: { path: 'runc' } },
  CDISpecDirs: ['/etc/cdi', '/var/run/cdi'],
  DiscoveredDevices: [
    { Source: 'cdi', ID: 'nvidia.com/gpu=0' },
    { Source: 'cdi', ID: 'nvidia.com/gpu=GPU-8e4f8b3a-6c5d-4f1e-9a2b-1c3d5e7f9a0b' },
    { Source: 'cdi', ID: 'nvidia.com/gpu=all' },
  ],
};
const ENGINE_28_OTHER_CDI: EngineInfo = { ...ENGINE_28_DISCOVERED, DiscoveredDevices: [{ Source: 'cdi', ID: 'vendor.com/fpga=0' }] };

const NO_HOST: HostGpuFacts = { toolkit: false, cdiKinds: [] };

describe('selectGpu', () => {
  const cases: [string, EngineInfo, HostGpuFacts | undefined, string[]][] = [
    ['toolkit beside a local engine: --gpus all', ENGINE_20_PLAIN, { toolkit: true, cdiKinds: [] }, ['--gpus', 'all']],
    ['toolkit wins over a registered runtime', ENGINE_24_NVIDIA_RUNTIME, { toolkit: true, cdiKinds: [] }, ['--gpus', 'all']],
    ['nvidia runtime: NVIDIA Docker 2.0 form', ENGINE_24_NVIDIA_RUNTIME, NO_HOST, ['--runtime=nvidia', '-e', 'NVIDIA_VISIBLE_DEVICES=all']],
    ['nvidia runtime on a remote engine', ENGINE_24_NVIDIA_RUNTIME, undefined, ['--runtime=nvidia', '-e', 'NVIDIA_VISIBLE_DEVICES=all']],
    ['runtime found by its binary', ENGINE_26_RENAMED_RUNTIME, NO_HOST, ['--runtime=nv-legacy', '-e', 'NVIDIA_VISIBLE_DEVICES=all']],
    ['CDI spec files with nvidia.com/gpu', ENGINE_27_CDI, { toolkit: false, cdiKinds: ['nvidia.com/gpu'] }, ['--device', 'nvidia.com/gpu=all']],
    ['CDI devices the engine discovered (remote too)', ENGINE_28_DISCOVERED, undefined, ['--device', 'nvidia.com/gpu=all']],
  ];
  for (const [label, info, host, args] of cases) {
    it(label, () => assert.deepEqual(selectGpu(info, host).args, args));
  }

  const none: [string, EngineInfo, HostGpuFacts | undefined][] = [
    ['plain engine 20.10', ENGINE_20_PLAIN, NO_HOST],
    ['CDI dirs without GPU specs', ENGINE_27_CDI, NO_HOST],
    ['CDI dirs seen from a remote client (spec files unreadable)', ENGINE_27_CDI, undefined],
    ['CDI devices of another vendor', ENGINE_28_OTHER_CDI, undefined],
    ['an empty answer', {}, undefined],
  ];
  for (const [label, info, host] of none) {
    it(`no GPU: ${label}`, () => {
      assert.throws(() => selectGpu(info, host), (err: DockconvError) =>
        /^a GPU was asked for, but the Docker engine offers no NVIDIA GPU access \(install the NVIDIA Container Toolkit.*gpu = --gpus all\)$/.test(err.describe()));
    });
  }

  it("this machine's real engine (no GPU) gets the clear error", { skip: !engineAnswers() }, () => {
    const info = JSON.parse(execFileSync('docker', ['info', '--format', '{{json .}}'], { encoding: 'utf8' })) as EngineInfo;
    assert.ok(info.Runtimes && Object.keys(info.Runtimes).length > 0, 'the real shape has Runtimes');
    assert.throws(() => selectGpu(info, NO_HOST), DockconvError);
  });
});

describe('cdiKinds', () => {
  it('reads device kinds from YAML and JSON CDI specs, ignores other files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cdi-'));
    try {
      writeFileSync(join(dir, 'nvidia.yaml'), '---\ncdiVersion: 0.5.0\nkind: nvidia.com/gpu\ndevices:\n- name: "0"\n');
      writeFileSync(join(dir, 'fpga.json'), '{"cdiVersion":"0.6.0","kind":"vendor.com/fpga","devices":[]}');
      writeFileSync(join(dir, 'notes.txt'), 'kind: other.com/x');
      assert.deepEqual(cdiKinds([dir, join(dir, 'missing')]).sort(), ['nvidia.com/gpu', 'vendor.com/fpga']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

function engineAnswers(): boolean {
  try {
    execFileSync('docker', ['info', '--format', '{{.ServerVersion}}'], { stdio: 'ignore', timeout: 10000 });
    return true;
  } catch {
    return false;
  }
}
