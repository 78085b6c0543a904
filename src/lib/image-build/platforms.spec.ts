import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DockconvError } from '../errors';
import { loadTree } from '../../testing/temp-tree';
import type { EngineFacts } from '../docker/engine';
import { platformFlags, platformsOf } from './platforms';

const amd64Containerd: EngineFacts = { os: 'linux', architecture: 'x86_64', store: 'containerd' };
const amd64Classic: EngineFacts = { ...amd64Containerd, store: 'classic' };

describe('which platforms an image is built for', () => {
  const ws = loadTree(
    {
      'p/docker/base/Dockerfile': 'FROM scratch\n',
      'p/docker/dev/Dockerfile': 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\n',
      'p/docker/one/Dockerfile': 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\n',
      'p/docker/run.cfg': '[base]\nplatforms = linux/amd64,linux/arm64\n[one]\nplatforms = linux/arm64\n',
      'q/docker/job/Dockerfile': 'FROM p-base:latest\n',
      'r/docker/base/Dockerfile': 'FROM scratch\n',
    },
    [['p', 'p'], ['q', 'q'], ['r', 'r']],
  );
  const of = (id: string, option?: string[]) => {
    const node = ws.graph.get(id);
    assert.ok(node, id);
    return platformsOf(ws.graph, node, option, (n) => {
      const entry = n.image.section?.entries.get('platforms');
      return entry && { entry };
    });
  };

  it("its own run.cfg key, else its workspace parent's, across projects", () => {
    assert.deepEqual(of('p:base'), ['linux/amd64', 'linux/arm64']);
    assert.deepEqual(of('p:dev'), ['linux/amd64', 'linux/arm64']);
    assert.deepEqual(of('q:job'), ['linux/amd64', 'linux/arm64']);
    assert.deepEqual(of('p:one'), ['linux/arm64']);
  });

  it('none anywhere: none (the engine\'s own, no --platform)', () => {
    assert.deepEqual(of('r:base'), []);
  });

  it('the option is every image\'s', () => {
    assert.deepEqual(of('p:one', ['linux/amd64']), ['linux/amd64']);
    assert.deepEqual(of('r:base', ['linux/amd64']), ['linux/amd64']);
  });
});

describe('--platform, or what is needed', () => {
  it('BuildKit with the containerd store builds several as one image', () => {
    assert.deepEqual(platformFlags(['linux/amd64', 'linux/arm64'], 'buildkit', amd64Containerd, 'p:base'), ['--platform', 'linux/amd64,linux/arm64']);
    assert.deepEqual(platformFlags([], 'legacy', amd64Classic, 'p:base'), []);
  });

  it('several need BuildKit and the containerd store', () => {
    for (const [builder, facts] of [['buildkit', amd64Classic], ['legacy', amd64Classic], ['legacy', amd64Containerd]] as const) {
      assert.throws(() => platformFlags(['linux/amd64', 'linux/arm64'], builder, facts, 'p:base'), (err: unknown) => err instanceof DockconvError && /p:base is built for linux\/amd64,linux\/arm64: one image of several platforms needs BuildKit and the containerd image store/.test(err.message));
    }
  });

  it('the classic store holds one platform, any one BuildKit builds', () => {
    assert.deepEqual(platformFlags(['linux/arm64'], 'buildkit', amd64Classic, 'p:base'), ['--platform', 'linux/arm64']);
  });

  it("the legacy builder builds only the engine's own platform", () => {
    assert.deepEqual(platformFlags(['linux/amd64'], 'legacy', amd64Classic, 'p:base'), ['--platform', 'linux/amd64']);
    assert.throws(() => platformFlags(['linux/arm64'], 'legacy', amd64Classic, 'p:base'), /not this engine's linux\/amd64: the legacy builder/);
  });

  it('a dry run without an engine shows the flag', () => {
    assert.deepEqual(platformFlags(['linux/amd64', 'linux/arm64'], 'legacy', undefined, 'p:base'), ['--platform', 'linux/amd64,linux/arm64']);
  });
});
