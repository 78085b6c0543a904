/**
 * Projects written for dockerutils (docker/dockerutils.cfg, earlier docker/run.cfg) in a real Nx
 * workspace: each case is a config the original ran, and the docker command it gives here, or a
 * real run of it, is the one the original ran.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BUSYBOX_IMAGE, ensureEngine, imageIdOf, removeImages } from './helpers/engine';
import { createWorkspace, output, projectJson, type TestWorkspace } from './helpers/workspace';

const USER = userInfo().username;
const SECRET = 'e2e-session-secret-value';

const DOCKERUTILS_CFG = `[base]
pull_FROM_on_force = True

[tool]
pull_FROM_on_force = True

[run_image]
synthetic_images = dev, test, nb, exp, bad

[dev]
name = base
cmd = sh -c 'echo dev runs the base image'

[nb]
name = dockconv-busybox
tag = latest
prefix = f
cmd = sh -c 'echo nb runs busybox'

[nb2]
name = dockconv-busybox
tag = latest
prefix = no

[exp]
name = tool
tag = experiment

[bad]
name = dev
tag = -bad
`;

const files = {
  'apps/compat/project.json': projectJson('compat'),
  'apps/compat/docker/base/Dockerfile': `FROM ${BUSYBOX_IMAGE}\nRUN echo base > /base.txt\n`,
  'apps/compat/docker/dev/Dockerfile': 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\n',
  'apps/compat/docker/tool/Dockerfile': `FROM ${BUSYBOX_IMAGE}\n`,
  'apps/compat/docker/dockerutils.cfg': DOCKERUTILS_CFG,
  'apps/era1/project.json': projectJson('era1'),
  'apps/era1/docker/train/Dockerfile': `FROM ${BUSYBOX_IMAGE}\n`,
  'apps/era1/docker/run.cfg': '[train]\ngpu = yes\n',
  'apps/era2/project.json': projectJson('era2'),
  'apps/era2/docker/train/Dockerfile': `FROM ${BUSYBOX_IMAGE}\n`,
  'apps/era2/docker/dockerutils.cfg': '[train]\ngpu = yes\n',
};

const IMAGES = ['base', 'dev', 'tool'].map((i) => `compat-${i}:${USER}`);

/** The `$ docker run …` line a run printed. */
function runLine(text: string): string {
  return /^\$ docker run .*$/m.exec(text)?.[0] ?? `no docker run line in:\n${text}`;
}

describe('dockerutils projects in a real Nx workspace', () => {
  let ws: TestWorkspace;
  let fakeToolkit = '';
  before(() => {
    ensureEngine();
    ws = createWorkspace(files);
    // A GPU host's NVIDIA toolkit, as the plugin detects it on a local engine: dry runs then show
    // the GPU flags this engine (which has no GPU) would be given.
    fakeToolkit = mkdtempSync(join(tmpdir(), 'dockconv-toolkit-'));
    writeFileSync(join(fakeToolkit, 'nvidia-container-cli'), '#!/bin/sh\nexit 0\n');
    chmodSync(join(fakeToolkit, 'nvidia-container-cli'), 0o755);
  });
  after(() => {
    removeImages(IMAGES);
    rmSync(fakeToolkit, { recursive: true, force: true });
    ws.remove();
  });

  const run = (args: string[], env: NodeJS.ProcessEnv = {}) => ws.nx(['run', ...args, '--skip-nx-cache'], { env: { DOCKCONV_TAG: '', ...env } });

  it('the graph holds every image; the one bad section leaves only its own image out', () => {
    const shown = ws.nx(['show', 'project', 'compat', '--json']);
    assert.equal(shown.status, 0, output(shown));
    const project = JSON.parse(shown.stdout) as { targets: Record<string, { configurations?: Record<string, unknown> }> };
    const runnable = Object.keys(project.targets['docker-run']?.configurations ?? {}).sort();
    assert.deepEqual(runnable, ['base', 'dev', 'exp', 'nb', 'nb2', 'test', 'tool']);
    const bad = run(['compat:docker-run', '--image=bad', '--dryRun']);
    assert.notEqual(bad.status, 0);
    assert.match(output(bad), /image 'bad' of compat cannot be used: invalid image tag '-bad'/);
  });

  it('a synthetic image without a section of its own runs <project>-<name>:<tag>', () => {
    const result = run(['compat:docker-run:test', '--dryRun']);
    assert.equal(result.status, 0, output(result));
    assert.match(runLine(output(result)), new RegExp(`--init --rm compat-test:${USER}$`));
    assert.match(output(result), /synthetic image 'test' has no \[test\] section/);
  });

  it("a synthetic image's tag and name choose the image it runs", () => {
    const result = run(['compat:docker-run:exp', '--dryRun']);
    assert.equal(result.status, 0, output(result));
    assert.match(runLine(output(result)), / compat-tool:experiment$/);
  });

  it('a configuration-only image listed in synthetic_images, prefix = f: runs the image it names (a real run)', () => {
    const result = run(['compat:docker-run:nb']);
    assert.equal(result.status, 0, output(result));
    assert.match(runLine(output(result)), / dockconv-busybox:latest sh -c 'echo nb runs busybox'$/);
    assert.match(output(result), /^nb runs busybox$/m);
  });

  it('prefix = no: read as false, with a warning that dockerutils read it the other way', () => {
    const result = run(['compat:docker-run:nb2', '--dryRun']);
    assert.equal(result.status, 0, output(result));
    assert.match(runLine(output(result)), / dockconv-busybox:latest$/);
    assert.match(output(result), /dockerutils\.cfg:\d+: prefix = no is read as false/);
  });

  it('a synthetic image named like an image type runs its section ([dev] name = base); docker/dev/ still builds as compat-dev', () => {
    const built = run(['compat:docker-build:base']);
    assert.equal(built.status, 0, output(built));
    const result = run(['compat:docker-run:dev']);
    assert.equal(result.status, 0, output(result));
    assert.match(runLine(output(result)), new RegExp(` compat-base:${USER} sh -c 'echo dev runs the base image'$`));
    assert.match(output(result), /^dev runs the base image$/m);
    const build = run(['compat:docker-build:dev', '--dryRun']);
    assert.equal(build.status, 0, output(build));
    assert.match(output(build), new RegExp(`docker build .*-t compat-dev:${USER} `));
  });

  it('AWS credentials set on the host reach the container as -e NAME, never printed; --awsEnv=false keeps them out', () => {
    const env = { AWS_SESSION_TOKEN: SECRET, AWS_REGION: 'eu-west-3' };
    const result = run(['compat:docker-run:nb', '--command=env'], env);
    assert.equal(result.status, 0, output(result));
    const line = runLine(output(result));
    assert.match(line, /--init --rm -e AWS_REGION -e AWS_SESSION_TOKEN /);
    assert.doesNotMatch(line, new RegExp(SECRET));
    assert.match(output(result), new RegExp(`^AWS_SESSION_TOKEN=${SECRET}$`, 'm'), 'the container sees the value');
    const off = run(['compat:docker-run:nb', '--command=env', '--awsEnv=false'], env);
    assert.equal(off.status, 0, output(off));
    assert.doesNotMatch(output(off), new RegExp(SECRET));
  });

  it('--forceBase rebuilds the base for an image that does not derive from it, each pulling on force', () => {
    const result = run(['compat:docker-build:tool', '--forceBase', '--dryRun']);
    const out = output(result);
    assert.equal(result.status, 0, out);
    // Nx runs the two independent tasks in either order; build-image -f orders them (cli.e2e.ts).
    const builds = out.split('\n').filter((l) => / docker build /.test(l));
    const base = builds.find((l) => l.includes(`-t compat-base:${USER} `)) ?? '';
    const tool = builds.find((l) => l.includes(`-t compat-tool:${USER} `)) ?? '';
    assert.match(base, / --no-cache --pull /, out);
    assert.match(tool, / --pull /, out);
    assert.doesNotMatch(tool, /--no-cache/);
  });

  it('run.cfg-era projects asking for a GPU also get CPU_GPU_ENV=/gpu-env; dockerutils.cfg-era ones do not', () => {
    const env = { PATH: `${fakeToolkit}:${process.env['PATH'] ?? ''}` };
    const era1 = run(['era1:docker-run:train', '--dryRun'], env);
    assert.equal(era1.status, 0, output(era1));
    assert.match(runLine(output(era1)), new RegExp(`--init --rm -e CPU_GPU_ENV=/gpu-env --gpus all era1-train:${USER}$`));
    const era2 = run(['era2:docker-run:train', '--dryRun'], env);
    assert.equal(era2.status, 0, output(era2));
    assert.match(runLine(output(era2)), new RegExp(`--init --rm --gpus all era2-train:${USER}$`));
    assert.equal(imageIdOf(`era1-train:${USER}`), undefined, 'a dry run builds nothing');
  });
});
