import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { formatCommand } from '../text/shown';
import { loadWorkspaceImages, type WorkspaceImages } from '../model/workspace';
import type { RunRequest } from './command';
import type { EngineInfo } from '../docker/engine';
import { prepareRun, type EngineProbe } from './prepare';
import { tempTree } from '../../testing/temp-tree';

const FILES: Record<string, string> = {
  'apps/a/docker/base/Dockerfile': 'FROM scratch\nWORKDIR /srv\n',
  'apps/a/docker/train/Dockerfile': 'FROM scratch\n',
  'apps/a/docker/run.cfg':
    '[train]\ngpu = yes\nvolumes = -v {project_root}:{workdir}\nvolumes_docked = -v /data:/data\n' +
    '[nb]\nname = jupyter/base-notebook\ntag = latest\nprefix = false\nvolumes = -v {cwd}:{workdir}/work\n',
};

interface Calls {
  info: number;
  localGpu: number;
  inspected: string[];
}

function probe(remote: boolean, info: EngineInfo, toolkit: boolean, calls: Calls): EngineProbe {
  return {
    remote: () => remote,
    info: async () => {
      calls.info++;
      return info;
    },
    localGpu: () => {
      calls.localGpu++;
      return { toolkit, cdiKinds: [] };
    },
    imageWorkdir: async (ref) => {
      calls.inspected.push(ref);
      return '/home/jovyan';
    },
  };
}

describe('prepareRun', () => {
  let root = '';
  let ws: WorkspaceImages;
  before(() => {
    root = tempTree(FILES, 'prepare-');
    ws = loadWorkspaceImages(root, [{ name: 'a', root: 'apps/a' }], { user: 'alice', env: {} });
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  async function line(req: RunRequest, engine: EngineProbe): Promise<string> {
    const project = ws.projects.get('a');
    assert.ok(project);
    const host = { env: {}, cwd: '/home/alice/here', stdinIsTTY: false, user: 'alice', now: new Date(2025, 0, 2, 3, 4, 5, 6) };
    const { command } = await prepareRun(ws, project, req, host, engine);
    return formatCommand(command.argv).replace(/_\d{8}-\d{6}\.\d{3}/, '_<time>');
  }

  it('local engine with the toolkit: --gpus all, {workdir} from the Dockerfile (/ for scratch)', async () => {
    const calls = { info: 0, localGpu: 0, inspected: [] };
    const out = await line({ image: 'train' }, probe(false, {}, true, calls));
    // docker/run.cfg is the first dockerutils era's file: a GPU asked for as a switch also sets CPU_GPU_ENV.
    assert.equal(out, `run --name alice_train_<time> --init --rm -e CPU_GPU_ENV=/gpu-env --gpus all -v ${join(root, 'apps/a')}:/ a-train:alice`);
    assert.deepEqual(calls, { info: 1, localGpu: 1, inspected: [] });
  });

  it('remote engine: _docked values, and only what the engine reports counts for GPUs', async () => {
    const calls = { info: 0, localGpu: 0, inspected: [] };
    const info = { Runtimes: { nvidia: { path: 'nvidia-container-runtime' } } };
    const out = await line({ image: 'train' }, probe(true, info, true, calls));
    assert.equal(out, 'run --name alice_train_<time> --init --rm -e CPU_GPU_ENV=/gpu-env --runtime=nvidia -e NVIDIA_VISIBLE_DEVICES=all -v /data:/data a-train:alice');
    assert.equal(calls.localGpu, 0, 'the toolkit on this machine says nothing about a remote engine');
  });

  it('no GPU asked: the engine is not asked', async () => {
    const calls = { info: 0, localGpu: 0, inspected: [] };
    await line({ image: 'train', gpu: false }, probe(false, {}, false, calls));
    await line({ image: 'base' }, probe(false, {}, false, calls));
    assert.equal(calls.info, 0);
  });

  it('GPU asked where the engine has none: the clear error', async () => {
    await assert.rejects(line({ image: 'train' }, probe(false, {}, false, { info: 0, localGpu: 0, inspected: [] })), /offers no NVIDIA GPU access/);
  });

  it('a configuration-only image: {workdir} from the engine, {cwd} where the user is', async () => {
    const calls = { info: 0, localGpu: 0, inspected: [] as string[] };
    const out = await line({ image: 'nb' }, probe(false, {}, false, calls));
    assert.equal(out, 'run --name alice_nb_<time> --init --rm -v /home/alice/here:/home/jovyan/work jupyter/base-notebook:latest');
    assert.deepEqual(calls.inspected, ['jupyter/base-notebook:latest']);
  });
});
