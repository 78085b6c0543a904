/**
 * Cache truth: after any docker-build that reports success, the engine holds, under the exact
 * reference the run names, an image built from the current inputs. Each test changes the world
 * the way a user would (docker rmi, a revert, a branch switch, another tag, someone's docker tag,
 * a rebuilt base, another engine, a dry run) and then looks at the engine itself: it runs the
 * image or reads its ID, never trusting what Nx printed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtRefs, isBuild, loggingDocker } from './helpers/docker-log';
import { docker, ensureEngine, imageIdOf, isBuiltOn, removeImages } from './helpers/engine';
import { countingProxy, startSecondEngine, type SecondEngine } from './helpers/second-engine';
import { createWorkspace, e2eEnv, output, projectJson, type TestWorkspace } from './helpers/workspace';

// A tag of our own (the plugin's default tag here): the engine is shared with other suites.
const TAG = `c${Date.now().toString(36)}`;
const ref = (name: string, tag = TAG) => `${name}:${tag}`;

const files = (state = 'A'): Record<string, string> => ({
  'apps/shop/project.json': projectJson('shop'),
  'apps/shop/src/data.txt': 'data-1\n',
  'apps/shop/docker/base/Dockerfile': 'FROM dockconv-busybox:latest\nRUN echo base > /base.txt\n',
  'apps/shop/docker/worker/Dockerfile': `ARG BASE_IMAGE\nFROM \${BASE_IMAGE}\nCOPY src/data.txt /data.txt\nRUN echo ${state} > /state.txt\nCMD ["cat", "/state.txt"]\n`,
  'libs/report/project.json': projectJson('report'),
  'libs/report/docker/job/Dockerfile': `ARG TAG\nFROM shop-base:\${TAG}\nRUN echo job > /job.txt\n`,
});
const IMAGES = ['shop-base', 'shop-worker', 'report-job'];

/** What the image under a reference says about itself: proof of what the engine holds. */
function run(reference: string, ...cmd: string[]): string {
  return docker(['run', '--rm', reference, ...(cmd.length ? cmd : [])]);
}

/** Seconds since the epoch with a fraction: events of the same second before it do not count. */
const since = () => (Date.now() / 1000).toFixed(3);

const spy = loggingDocker();

function workspace(git = false): TestWorkspace {
  return createWorkspace(files(), { plugins: [{ plugin: '@dockconv/nx', options: { tag: TAG } }], git });
}

function nxOk(ws: TestWorkspace, args: string[], env: NodeJS.ProcessEnv = {}): string {
  const result = ws.nx([...args, '--output-style=static'], { env: { DOCKCONV_DOCKER: spy.path, ...env } });
  assert.equal(result.status, 0, output(result));
  return output(result);
}

/** Builds and returns the images (without tag) the run built, sorted; builder stages aside. */
function build(ws: TestWorkspace, args: string[] = ['run-many', '-t', 'docker-build'], env: NodeJS.ProcessEnv = {}, tag = TAG): string[] {
  spy.reset();
  nxOk(ws, args, env);
  return builtRefs(spy.calls())
    .filter((r) => r.endsWith(`:${tag}`))
    .map((r) => r.slice(0, -tag.length - 1))
    .sort();
}

describe('docker-build cache truth', () => {
  before(() => ensureEngine());
  after(() => removeImages(IMAGES.flatMap((i) => [ref(i), ref(i, 'ci'), ref(i, 'x')])));

  it('rmi then build, three times in a row: the image is there each time; one rmi costs one build', () => {
    const ws = workspace();
    try {
      const worker = ['run', 'shop:docker-build', '--image=worker'];
      assert.deepEqual(build(ws, worker), ['shop-base', 'shop-worker']);
      for (let round = 1; round <= 3; round++) {
        docker(['rmi', ref('shop-worker')]);
        assert.deepEqual(build(ws, worker), ['shop-worker'], `round ${round}`);
        assert.equal(run(ref('shop-worker')), 'A', `round ${round}`);
      }
      assert.deepEqual(build(ws, worker), [], 'nothing removed: nothing built');
    } finally {
      ws.remove();
    }
  });

  it('A → B → A in a Dockerfile and in a copied file: the engine ends at A', () => {
    const ws = workspace();
    try {
      const worker = 'apps/shop/docker/worker/Dockerfile';
      build(ws);
      const labelA = inputsLabel(ref('shop-worker'));
      ws.write(worker, files('B')[worker] ?? '');
      assert.deepEqual(build(ws), ['shop-worker']);
      assert.equal(run(ref('shop-worker')), 'B');
      ws.write(worker, files('A')[worker] ?? '');
      assert.deepEqual(build(ws), ['shop-worker']);
      assert.equal(run(ref('shop-worker')), 'A');
      // The legacy builder's layer cache gives back the very image; BuildKit stamps a new one.
      assert.equal(inputsLabel(ref('shop-worker')), labelA, 'built from the same inputs as the first A');

      ws.write('apps/shop/src/data.txt', 'data-2\n');
      build(ws);
      assert.equal(run(ref('shop-worker'), 'cat', '/data.txt'), 'data-2');
      ws.write('apps/shop/src/data.txt', 'data-1\n');
      assert.deepEqual(build(ws), ['shop-worker']);
      assert.equal(run(ref('shop-worker'), 'cat', '/data.txt'), 'data-1');
    } finally {
      ws.remove();
    }
  });

  it('a branch switch (main A, feature B, back to main) leaves A on the engine', () => {
    const ws = workspace(true);
    try {
      build(ws);
      ws.git(['checkout', '-qb', 'feature']);
      const worker = 'apps/shop/docker/worker/Dockerfile';
      ws.write(worker, files('B')[worker] ?? '');
      ws.git(['commit', '-qam', 'B']);
      build(ws);
      assert.equal(run(ref('shop-worker')), 'B');
      ws.git(['checkout', '-q', 'main']);
      assert.deepEqual(build(ws), ['shop-worker']);
      assert.equal(run(ref('shop-worker')), 'A');
    } finally {
      ws.remove();
    }
  });

  it('--tag and DOCKCONV_TAG: rebuilt under that tag after rmi; neither tag answers for the other', () => {
    const ws = workspace();
    try {
      const worker = ['run', 'shop:docker-build', '--image=worker'];
      build(ws, worker);
      assert.deepEqual(build(ws, [...worker, '--tag=ci'], {}, 'ci'), ['shop-base', 'shop-worker']);
      docker(['rmi', ref('shop-worker', 'ci')]);
      assert.deepEqual(build(ws, [...worker, '--tag=ci'], {}, 'ci'), ['shop-worker']);
      assert.equal(run(ref('shop-worker', 'ci')), 'A');

      assert.deepEqual(build(ws, worker, { DOCKCONV_TAG: 'x' }, 'x'), ['shop-base', 'shop-worker']);
      docker(['rmi', ref('shop-worker', 'x')]);
      assert.deepEqual(build(ws, worker, { DOCKCONV_TAG: 'x' }, 'x'), ['shop-worker']);
      assert.equal(run(ref('shop-worker', 'x')), 'A');
      // Back to the plugin's tag, whose image nobody touched: a hit, and it is there.
      assert.deepEqual(build(ws, worker), []);
      assert.equal(run(ref('shop-worker')), 'A');
    } finally {
      ws.remove();
    }
  });

  it('someone re-tags the reference to another image: the next build puts the right image back', () => {
    const ws = workspace();
    try {
      build(ws);
      const inputs = () => inputsLabel(ref('shop-worker'));
      const right = inputs();
      docker(['tag', ref('shop-base'), ref('shop-worker')]);
      assert.deepEqual(build(ws), ['shop-worker']);
      assert.equal(inputs(), right, 'built from the same inputs as before');
      assert.equal(run(ref('shop-worker')), 'A');
    } finally {
      ws.remove();
    }
  });

  it('a rebuilt base (new ID) rebuilds every derived image, in other projects too, on the next run-many', () => {
    const ws = workspace();
    try {
      build(ws);
      const oldBase = imageIdOf(ref('shop-base'));
      assert.deepEqual(build(ws, ['run', 'shop:docker-build', '--image=base', '--forceBase']), ['shop-base']);
      assert.notEqual(imageIdOf(ref('shop-base')), oldBase);
      assert.deepEqual(build(ws), ['report-job', 'shop-worker']);
      for (const derived of ['shop-worker', 'report-job']) {
        assert.ok(isBuiltOn(ref(derived), ref('shop-base')), `${derived} is built on the current base`);
      }
      assert.deepEqual(build(ws), [], 'and then it is a no-op');
    } finally {
      ws.remove();
    }
  });

  it('--exclude-task-dependencies never replays a derived image whose base was rebuilt since', () => {
    const ws = workspace();
    try {
      build(ws);
      assert.deepEqual(build(ws, ['run', 'shop:docker-build', '--image=base', '--forceBase']), ['shop-base']);
      // The base changed under the worker's last cached run, and the run leaves the base task out.
      assert.deepEqual(build(ws, ['run', 'shop:docker-build-worker', '--exclude-task-dependencies']), ['shop-worker']);
      assert.ok(isBuiltOn(ref('shop-worker'), ref('shop-base')), 'the worker is built on the current base');
    } finally {
      ws.remove();
    }
  });

  it('switching engines (DOCKER_HOST) builds on the new engine', async () => {
    const second: SecondEngine = await startSecondEngine();
    const ws = workspace();
    try {
      build(ws);
      second.docker(['load', '-i', saveBusybox()]);
      nxOk(ws, ['run-many', '-t', 'docker-build'], { DOCKER_HOST: second.host });
      for (const image of IMAGES) assert.ok(second.docker(['image', 'inspect', '--format', '{{.Id}}', ref(image)]), `${image} on the second engine`);
      assert.equal(second.docker(['run', '--rm', ref('shop-worker')]), 'A');
      // And back: the first engine's images are still current, nothing to build.
      assert.deepEqual(build(ws), []);
    } finally {
      ws.remove();
      second.clear();
      await second.stop();
    }
  });

  it('--dryRun is never cached: twice the true plan; with the engine gone it still prints and says so', () => {
    const ws = workspace();
    try {
      removeImages([ref('shop-worker'), ref('shop-base')]);
      const first = nxOk(ws, ['run', 'shop:docker-build', '--image=worker', '--dryRun']);
      assert.match(first, /docker build/);
      assert.doesNotMatch(first, /local cache|remote cache/i);
      build(ws);
      const second = nxOk(ws, ['run', 'shop:docker-build', '--image=worker', '--dryRun']);
      assert.doesNotMatch(second, /local cache|remote cache/i);
      assert.match(second, /up to date/, 'the plan now sees the built images');
      assert.doesNotMatch(second, /docker build/);
      const dead = nxOk(ws, ['run', 'shop:docker-build', '--image=worker', '--dryRun'], { DOCKER_HOST: 'unix:///nonexistent/docker.sock' });
      assert.match(dead, /could not|cannot reach/i);
      assert.match(dead, /docker build/);
    } finally {
      ws.remove();
    }
  });
});

describe('a true no-op', () => {
  before(() => ensureEngine());
  after(() => removeImages(manyImages(2, 5).map((i) => ref(i))));

  it('runs no docker build, starts no container, and asks the engine a fixed number of times whatever the number of images', async () => {
    const small = await noopCost(1, 3);
    const large = await noopCost(2, 5);
    assert.equal(small.builds + large.builds, 0, 'no docker build');
    assert.equal(small.containers + large.containers, 0, 'no container');
    assert.equal(large.cli, small.cli, `docker CLI processes: ${small.cli} for 3 images, ${large.cli} for 10`);
    assert.equal(large.api, small.api, `engine API requests: ${small.api} for 3 images, ${large.api} for 10`);
  });
});

/** Projects p0…pN-1, each with a base and `perProject - 1` images derived from it. */
function manyImages(projects: number, perProject: number): string[] {
  return Array.from({ length: projects }, (_, p) => Array.from({ length: perProject }, (_, i) => `p${p}-${i === 0 ? 'base' : `d${i}`}`)).flat();
}

function manyFiles(projects: number, perProject: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (let p = 0; p < projects; p++) {
    out[`libs/p${p}/project.json`] = projectJson(`p${p}`);
    out[`libs/p${p}/docker/base/Dockerfile`] = `FROM dockconv-busybox:latest\nRUN echo p${p} > /p.txt\n`;
    for (let i = 1; i < perProject; i++) out[`libs/p${p}/docker/d${i}/Dockerfile`] = `ARG BASE_IMAGE\nFROM \${BASE_IMAGE}\nRUN echo ${i} > /d.txt\n`;
  }
  return out;
}

/**
 * Builds a workspace, then runs the same run-many again through a docker that logs every call
 * and a socket proxy that counts every Engine API request: what the no-op cost.
 */
async function noopCost(projects: number, perProject: number): Promise<{ builds: number; containers: number; cli: number; api: number }> {
  const ws = createWorkspace(manyFiles(projects, perProject), { plugins: [{ plugin: '@dockconv/nx', options: { tag: TAG } }] });
  const dir = mkdtempSync(join(tmpdir(), 'dockconv-count-'));
  const counter = loggingDocker();
  const engine = engineSocket();
  const proxy = await countingProxy(engine, join(dir, 'proxy.sock'));
  // Both runs see the same DOCKER_HOST: it is one of the task's inputs.
  const env = { DOCKCONV_DOCKER: counter.path, DOCKER_HOST: proxy.host };
  try {
    const first = await nxAsync(ws, ['run-many', '-t', 'docker-build', '--output-style=static'], env);
    assert.equal(first.status, 0, first.output);
    counter.reset();
    const requestsBefore = proxy.requests().length;
    const from = since();
    const result = await nxAsync(ws, ['run-many', '-t', 'docker-build', '--output-style=static'], env);
    assert.equal(result.status, 0, result.output);
    const calls = counter.calls();
    const until = (Date.now() / 1000 + 1).toFixed(3);
    const containers = docker(['events', '--since', from, '--until', until, '--filter', 'type=container', '--format', '{{.Action}}']).split('\n').filter(Boolean);
    return { builds: calls.filter(isBuild).length, containers: containers.length, cli: calls.length, api: proxy.requests().length - requestsBefore };
  } finally {
    await proxy.close();
    ws.remove();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The engine's unix socket, where the proxy forwards to. */
function engineSocket(): string {
  const host = process.env['DOCKER_HOST'] ?? 'unix:///var/run/docker.sock';
  assert.ok(host.startsWith('unix://'), `this test needs a unix socket engine, not ${host}`);
  return host.slice('unix://'.length);
}

/** spawnSync would block the proxy living in this process: the nx run must be asynchronous. */
function nxAsync(ws: TestWorkspace, args: string[], env: NodeJS.ProcessEnv): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(join(ws.root, 'node_modules/.bin/nx'), args, { cwd: ws.root, env: e2eEnv(env) });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (status) => resolve({ status, output: out }));
  });
}

/** The digest of the exact inputs the image was built from (its dev.dockconv.inputs label). */
function inputsLabel(reference: string): string {
  return docker(['image', 'inspect', '--format', '{{index .Config.Labels "dev.dockconv.inputs"}}', reference]);
}

let busyboxArchive: string | undefined;
/** The busybox stand-in base, saved once, so a second engine can have it without a registry. */
function saveBusybox(): string {
  if (!busyboxArchive) {
    busyboxArchive = join(mkdtempSync(join(tmpdir(), 'dockconv-busybox-')), 'busybox.tar');
    docker(['save', '-o', busyboxArchive, 'dockconv-busybox:latest']);
  }
  return busyboxArchive;
}

describe('the cache on Nx plugin hooks only', () => {
  before(() => ensureEngine());
  after(() => removeImages([...IMAGES, 'ctx-base'].map((i) => ref(i))));

  it('the first run after a build replays every docker-build task: no docker build, no container, no deprecation notice', () => {
    const ws = workspace();
    try {
      const first = nxOk(ws, ['run-many', '-t', 'docker-build']);
      assert.doesNotMatch(first, /custom hasher|deprecated/i);
      spy.reset();
      const from = since();
      const again = nxOk(ws, ['run-many', '-t', 'docker-build']);
      const [, replayed, all] = /from the cache instead of running the command for (\d+) out of (\d+) tasks/.exec(again) ?? [];
      assert.ok(all !== undefined && Number(all) >= IMAGES.length, again);
      assert.equal(replayed, all, 'every task replayed');
      assert.doesNotMatch(again, /custom hasher|deprecated/i);
      assert.equal(spy.calls().filter(isBuild).length, 0, 'no docker build');
      const until = (Date.now() / 1000 + 1).toFixed(3);
      assert.equal(docker(['events', '--since', from, '--until', until, '--filter', 'type=container', '--format', '{{.Action}}']), '', 'no container');
      for (const image of IMAGES) assert.ok(imageIdOf(ref(image)), `${image} is there`);
    } finally {
      ws.remove();
    }
  });

  it('commands that build no image run no docker process and send the engine nothing', async () => {
    const ws = createWorkspace(
      {
        ...files(),
        'libs/util/project.json': JSON.stringify({ name: 'util', targets: { test: { executor: 'nx:run-commands', options: { command: 'echo util-tests-ok' } } } }),
        // A context Nx itself never reads (it hashes every file it sees): only a build can touch it.
        'libs/ctx/project.json': projectJson('ctx'),
        'libs/ctx/docker/base/Dockerfile': 'FROM dockconv-busybox:latest\nCOPY hidden/ /hidden/\n',
        'libs/ctx/hidden/data.txt': 'hidden\n',
        '.nxignore': 'libs/ctx/hidden/\n',
      },
      { plugins: [{ plugin: '@dockconv/nx', options: { tag: TAG } }] },
    );
    const dir = mkdtempSync(join(tmpdir(), 'dockconv-quiet-'));
    const counter = loggingDocker();
    const proxy = await countingProxy(engineSocket(), join(dir, 'proxy.sock'));
    const env = { DOCKCONV_DOCKER: counter.path, DOCKER_HOST: proxy.host };
    // Reading a file sets its access time when that is older than its modification (relatime).
    const context = join(ws.root, 'libs/ctx/hidden/data.txt');
    const listed = () => statSync(context).atimeMs > Date.parse('2001-01-01');
    utimesSync(context, new Date('2000-01-01'), new Date());
    try {
      for (const args of [['show', 'projects'], ['graph', `--file=${join(dir, 'graph.json')}`], ['run', 'util:test'], ['run', 'util:test', '--skip-nx-cache']]) {
        const result = await nxAsync(ws, [...args, '--output-style=static'], env);
        assert.equal(result.status, 0, result.output);
        if (args[1] === 'util:test') assert.match(result.output, /util-tests-ok/);
        assert.deepEqual(counter.calls(), [], `nx ${args.join(' ')}: no docker process`);
        assert.equal(proxy.requests().length, 0, `nx ${args.join(' ')}: no Engine API request`);
        assert.ok(!listed(), `nx ${args.join(' ')}: no build context read`);
      }
      // The same workspace does ask the engine and read the context once it builds: the checks can see it.
      const build = await nxAsync(ws, ['run', 'ctx:docker-build', '--output-style=static'], env);
      assert.equal(build.status, 0, build.output);
      assert.ok(counter.calls().length > 0 && proxy.requests().length > 0);
      assert.ok(listed(), 'a build reads its context');
    } finally {
      await proxy.close();
      ws.remove();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
