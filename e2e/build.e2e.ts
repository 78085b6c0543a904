/**
 * docker-build against the real engine, real git and real Nx: order across projects, labels,
 * no-op re-runs, `nx affected` rebuilding exactly what changed, images restored after
 * `docker rmi`, and every failure path ending with one message and nothing left behind.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { docker, ensureEngine, imageIdOf, removeImages } from './helpers/engine';
import { createWorkspace, e2eEnv, output, projectJson, type TestWorkspace } from './helpers/workspace';

// A tag of our own: the engine is shared, and other images must not count in the assertions.
const TAG = `e2e${Date.now().toString(36)}`;
const env = { DOCKCONV_TAG: TAG };
const ref = (name: string) => `${name}:${TAG}`;
const SHOP = ['shop-base', 'shop-dev', 'shop-test', 'shop-app', 'shop-app-builder'];
const ALL = [...SHOP, 'report-job'];

const files: Record<string, string> = {
  'apps/shop/project.json': projectJson('shop'),
  'apps/shop/.dockerignore': 'src/*.md\n',
  'apps/shop/.gitignore': '_version.py.bld\npip.conf\n',
  'apps/shop/requirements.txt': 'requests==2.32.0\n',
  'apps/shop/src/app.txt': 'hello\n',
  'apps/shop/src/notes.md': 'excluded by .dockerignore\n',
  'apps/shop/NOTES.txt': 'never copied\n',
  'apps/shop/docker/base/Dockerfile':
    'FROM dockconv-busybox:latest\nCOPY requirements.txt /opt/requirements.txt\nRUN wc -l < /opt/requirements.txt > /opt/frozen.txt\nWORKDIR /app\n',
  'apps/shop/docker/dev/Dockerfile': 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nRUN echo dev > /opt/dev.txt\n',
  'apps/shop/docker/test/Dockerfile': 'ARG PROJECT\nARG TAG\nFROM ${PROJECT}-dev:${TAG}\nRUN echo test > /opt/test.txt\n',
  'apps/shop/docker/app/Dockerfile': [
    'ARG BASE_IMAGE',
    'FROM ${BASE_IMAGE} AS builder',
    'COPY src/ /src/',
    'RUN cat /src/* > /out.txt',
    'FROM ${BASE_IMAGE}',
    'ARG GREETING',
    'COPY --from=builder /out.txt /app/out.txt',
    'RUN echo "$GREETING" > /app/greeting.txt',
    '',
  ].join('\n'),
  'apps/shop/docker/run.cfg': '[app]\nbuild_args = --build-arg GREETING={user}-greets\n',
  'libs/report/project.json': projectJson('report'),
  'libs/report/docker/job/Dockerfile': 'ARG TAG\nFROM shop-base:${TAG}\nRUN echo job > /opt/job.txt\n',
};

type Ids = Record<string, string | undefined>;
const ids = (names: readonly string[] = ALL): Ids => Object.fromEntries(names.map((n) => [n, imageIdOf(ref(n))]));
const label = (name: string, key: string) => docker(['image', 'inspect', '--format', `{{index .Config.Labels "${key}"}}`, ref(name)]);
const now = () => Date.now();

/**
 * Our images the engine tagged since a time, in the order it tagged them. From each image's
 * last tag time, not from `docker events`: a BuildKit build into the containerd image store
 * creates its image without a tag event.
 */
function tagged(since: number): string[] {
  const repos = docker(['images', '--filter', `reference=*:${TAG}`, '--format', '{{.Repository}}']).split('\n').filter(Boolean);
  const times = repos.map((repo) => ({ repo, at: Date.parse(docker(['image', 'inspect', '--format', '{{.Metadata.LastTagTime}}', `${repo}:${TAG}`])) }));
  return times.filter((t) => t.at >= since).sort((a, b) => a.at - b.at).map((t) => t.repo);
}

/** What the plugin picks too: BuildKit when the docker CLI has buildx (a CLI before 23 is not used here). */
const buildKit = spawnSync('docker', ['buildx', 'version'], { stdio: 'ignore' }).status === 0;

function changed(before: Ids, after: Ids): string[] {
  return Object.keys(before).filter((k) => before[k] !== after[k]).sort();
}

describe('docker-build in a real workspace', () => {
  let ws: TestWorkspace;
  const nx = (args: string[]) => ws.nx([...args, '--output-style=static'], { env });
  const ok = (args: string[]) => {
    const result = nx(args);
    assert.equal(result.status, 0, output(result));
    return output(result);
  };
  /** Runs `nx affected` over an uncommitted edit, then commits it so the next step starts clean. */
  const affectedAfter = (path: string, text: string): { out: string; changed: string[]; tags: string[] } => {
    const before = ids();
    const since = now();
    ws.write(path, text);
    const out = ok(['affected', '-t', 'docker-build']);
    const result = { out, changed: changed(before, ids()), tags: tagged(since) };
    ws.git(['commit', '-qam', `edit ${path}`]);
    return result;
  };

  before(() => {
    ensureEngine();
    ws = createWorkspace(files, { git: true });
  });
  after(() => {
    removeImages(ALL.map(ref));
    ws.remove();
  });

  it('run-many builds every image, base first (as the engine saw it), with builder tags and labels', () => {
    const since = now();
    ok(['run-many', '-t', 'docker-build']);
    for (const name of ALL) assert.ok(imageIdOf(ref(name)), `${ref(name)} missing`);
    const order = tagged(since);
    assert.deepEqual([...order].sort(), [...ALL].sort(), `tag events: ${order.join(', ')}`);
    for (const derived of ['shop-dev', 'shop-test', 'shop-app-builder', 'shop-app', 'report-job']) {
      assert.ok(order.indexOf('shop-base') < order.indexOf(derived), `base after ${derived}: ${order.join(', ')}`);
    }
    assert.ok(order.indexOf('shop-dev') < order.indexOf('shop-test'));
    assert.ok(order.indexOf('shop-app-builder') < order.indexOf('shop-app'));
    assert.equal(label('shop-dev', 'dev.dockconv.project'), 'shop');
    assert.equal(label('shop-dev', 'dev.dockconv.image'), 'dev');
    assert.equal(label('shop-app-builder', 'dev.dockconv.image'), 'app');
    assert.equal(label('report-job', 'org.opencontainers.image.title'), 'report-job');
    assert.equal(label('shop-app', 'org.opencontainers.image.revision'), ws.git(['rev-parse', 'HEAD']));
    assert.match(label('shop-app', 'dev.dockconv.inputs'), /^sha256:[0-9a-f]{64}$/);
    const greeting = docker(['run', '--rm', ref('shop-app'), 'cat', '/app/greeting.txt']);
    assert.match(greeting, /-greets$/, 'run.cfg build_args reach the build, {user} expanded');
    assert.equal(JSON.parse(ws.read('dist/dockconv/apps/shop/dev.json')).id, imageIdOf(ref('shop-dev')));
  });

  it('a second identical run executes no docker build', () => {
    const before = ids();
    const since = now();
    const out = ok(['run-many', '-t', 'docker-build']);
    assert.deepEqual(changed(before, ids()), []);
    assert.deepEqual(tagged(since), []);
    assert.doesNotMatch(out.replace(/\[local cache\][\s\S]*?(?=> nx run|$)/g, ''), /\$ docker build/);
    assert.match(out, /local cache/);
  });

  it('editing docker/dev/Dockerfile rebuilds dev and what derives from it, nothing else', () => {
    const r = affectedAfter('apps/shop/docker/dev/Dockerfile', 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nRUN echo dev2 > /opt/dev.txt\n');
    assert.deepEqual(r.changed, ['shop-dev', 'shop-test'], r.out);
  });

  it('editing a file the base Dockerfile copies rebuilds base and every derived image, across projects', () => {
    const r = affectedAfter('apps/shop/requirements.txt', 'requests==2.32.1\n');
    assert.deepEqual(r.changed, ['report-job', 'shop-app', 'shop-app-builder', 'shop-base', 'shop-dev', 'shop-test'], r.out);
  });

  it('editing a .dockerignore\'d or never-copied file rebuilds nothing', () => {
    const ignored = affectedAfter('apps/shop/src/notes.md', 'still excluded\n');
    assert.deepEqual(ignored.changed, [], ignored.out);
    assert.deepEqual(ignored.tags, []);
    const never = affectedAfter('apps/shop/NOTES.txt', 'still never copied\n');
    assert.deepEqual(never.changed, [], never.out);
    assert.deepEqual(never.tags, []);
  });

  it('after a cached build, docker rmi then a task that needs the image brings it back', () => {
    ok(['run-many', '-t', 'docker-build']);
    docker(['rmi', ref('shop-base')]);
    const out = ok(['run', 'report:docker-build-job']);
    assert.ok(imageIdOf(ref('shop-base')), out);
    assert.doesNotMatch(out, /No such image/i);
    docker(['rmi', ref('shop-test')]);
    ok(['run', 'shop:docker-build']);
    assert.ok(imageIdOf(ref('shop-test')));
  });

  it('--image builds that image and what it needs; other images are skipped', () => {
    const out = ok(['run', 'shop:docker-build:test', '--skip-nx-cache']);
    const skipped = out.split('\n').filter((l) => /skipped/.test(l));
    assert.equal(skipped.length, 1, out);
    assert.match(skipped[0] ?? '', /skipped, not needed for test: app$/);
  });

  it('--dryRun prints the docker commands and runs none', () => {
    const before = ids();
    const out = ok(['run', 'shop:docker-build', '--dryRun', '--noCache', '--forceBase', '--skip-nx-cache']);
    if (buildKit) {
      // BuildKit takes labels as flags at no cost; nothing goes through stdin.
      assert.match(out, /\$ docker build -f apps\/shop\/docker\/base\/Dockerfile -t shop-base:\S+ .*--label dev.dockconv.image=base .*--no-cache --progress=plain apps\/shop$/m);
      assert.doesNotMatch(out, /\{ cat |--force-rm/);
    } else {
      // The legacy builder gets its labels as one LABEL line after the Dockerfile, on stdin.
      assert.match(out, /\$ \{ cat apps\/shop\/docker\/base\/Dockerfile; printf '\\n%s\\n' "LABEL [^"]+"; \} \| docker build -f - -t shop-base:\S+ .*--no-cache/);
      assert.match(out, /\$ \{ cat apps\/shop\/docker\/dev\/Dockerfile; .*\| docker build -f - -t shop-dev:\S+ .*--no-cache/);
    }
    assert.match(out, /\$ docker build -f apps\/shop\/docker\/app\/Dockerfile --target builder -t shop-app-builder:\S+ .*--label dev.dockconv.image=app/);
    assert.deepEqual(changed(before, ids()), []);
  });

  it('a printed build command pasted into sh at the workspace root builds the same image', () => {
    const out = ok(['run', 'shop:docker-build-dev', '--dryRun', '--noCache', '--skip-nx-cache']);
    const line = /^\[shop:dev\] \$ (.*docker build .*)$/m.exec(out)?.[1];
    assert.ok(line, out);
    const pasted = `pasted-dev:${TAG}`;
    try {
      const result = spawnSync('sh', ['-c', line.replace(` -t ${ref('shop-dev')} `, ` -t ${pasted} `)], { cwd: ws.root, encoding: 'utf8' });
      assert.equal(result.status, 0, result.stderr);
      const labels = (r: string) => JSON.parse(docker(['image', 'inspect', '--format', '{{json .Config.Labels}}', r])) as Record<string, string>;
      const [mine, built] = [labels(pasted), labels(ref('shop-dev'))];
      for (const key of ['dev.dockconv.inputs', 'dev.dockconv.project', 'dev.dockconv.image', 'org.opencontainers.image.title']) {
        assert.equal(mine[key], built[key], key);
      }
      assert.equal(mine['org.opencontainers.image.revision'], ws.git(['rev-parse', 'HEAD']));
      const devTxt = (r: string) => docker(['run', '--rm', r, 'cat', '/opt/dev.txt']);
      assert.equal(devTxt(pasted), devTxt(ref('shop-dev')));
    } finally {
      removeImages([pasted]);
    }
  });

  it('unknown image and invalid tag end with one clear message', () => {
    const unknown = nx(['run', 'shop:docker-build', '--image=nope']);
    assert.notEqual(unknown.status, 0);
    assert.match(output(unknown), /unknown image 'nope' in project shop/);
    const badTag = nx(['run', 'shop:docker-build-base', '--tag=-bad', '--skip-nx-cache']);
    assert.notEqual(badTag.status, 0);
    assert.match(output(badTag), /invalid image tag '-bad'/);
  });
});

describe('docker-build in Nx batch mode (--batch)', () => {
  const batchFiles = {
    'apps/b/project.json': projectJson('b'),
    'apps/b/docker/base/Dockerfile': 'FROM dockconv-busybox:latest\nRUN echo base > /base.txt\n',
    'apps/b/docker/one/Dockerfile': 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nRUN echo one > /one.txt\n',
    'apps/b/docker/two/Dockerfile': 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nRUN echo two > /two.txt\n',
    'libs/c/project.json': projectJson('c'),
    'libs/c/docker/job/Dockerfile': 'ARG TAG\nFROM b-base:${TAG}\nRUN echo job > /job.txt\n',
  };
  const images = ['b-base', 'b-one', 'b-two', 'c-job'];
  before(() => ensureEngine());
  after(() => removeImages(images.map(ref)));

  it('builds every image in one process, base first; a second run builds nothing', () => {
    const ws = createWorkspace(batchFiles);
    try {
      const since = now();
      const first = ws.nx(['run-many', '-t', 'docker-build', '--batch', '--output-style=static'], { env });
      assert.equal(first.status, 0, output(first));
      const order = tagged(since);
      assert.deepEqual([...order].sort(), images);
      assert.equal(order[0], 'b-base', order.join(' '));
      const again = now();
      const second = ws.nx(['run-many', '-t', 'docker-build', '--batch', '--output-style=static'], { env });
      assert.equal(second.status, 0, output(second));
      assert.deepEqual(tagged(again), []);
    } finally {
      ws.remove();
    }
  });

  it('a failing base fails the run and builds none of its dependents', () => {
    const ws = createWorkspace({ ...batchFiles, 'apps/b/docker/base/Dockerfile': 'FROM dockconv-busybox:latest\nRUN exit 9\n' });
    try {
      removeImages(images.map(ref));
      const result = ws.nx(['run-many', '-t', 'docker-build', '--batch', '--output-style=static'], { env });
      assert.notEqual(result.status, 0);
      assert.match(output(result), /b:base/);
      for (const image of images) assert.equal(imageIdOf(ref(image)), undefined, image);
    } finally {
      ws.remove();
    }
  });
});

describe('docker-build failure paths', () => {
  const base = {
    'apps/p/project.json': projectJson('p'),
    'apps/p/docker/base/Dockerfile': 'FROM dockconv-busybox:latest\nRUN echo base > /base.txt\n',
  };
  const withWorkspace = (extra: Record<string, string>, body: (ws: TestWorkspace) => void | Promise<void>) => async () => {
    const ws = createWorkspace({ ...base, ...extra });
    try {
      await body(ws);
    } finally {
      removeImages(['p-base', 'p-dev', 'p-slow', 'p-after'].map(ref));
      ws.remove();
    }
  };
  before(() => ensureEngine());

  it('a Dockerfile that does not parse names file and line', withWorkspace({ 'apps/p/docker/dev/Dockerfile': 'FROM p-base:x\nCOPY onlyone\n' }, (ws) => {
    const result = ws.nx(['run', 'p:docker-build'], { env });
    assert.notEqual(result.status, 0);
    assert.match(output(result), /docker\/dev\/Dockerfile:2: COPY needs a source and a destination/);
  }));

  it('a missing parent image fails naming the image; its dependents are not built', withWorkspace({
    'apps/p/docker/dev/Dockerfile': 'FROM dockconv-e2e-no-such-image:1\nRUN true\n',
    'apps/p/docker/after/Dockerfile': 'ARG TAG\nFROM p-dev:${TAG}\n',
  }, (ws) => {
    const result = ws.nx(['run', 'p:docker-build', '--output-style=static'], { env });
    assert.notEqual(result.status, 0);
    assert.match(output(result), new RegExp(`docker build of p:dev \\(p-dev:${TAG}\\) failed`));
    assert.equal(imageIdOf(ref('p-dev')), undefined);
    assert.equal(imageIdOf(ref('p-after')), undefined);
    assert.doesNotMatch(output(result), /\[p:after\] \$ docker build/);
  }));

  it('a failing pre_build_script stops the build and leaves no pip.conf', withWorkspace({
    'apps/p/pip.conf.template': '[global]\nindex-url = http://pypi.invalid/simple\n',
    'apps/p/docker/dev/Dockerfile': 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nCOPY pip.conf /etc/pip.conf\n',
    'apps/p/docker/run.cfg': '[dev]\npre_build_script = echo pre for {image}; exit 3\n',
  }, (ws) => {
    const result = ws.nx(['run', 'p:docker-build', '--output-style=static'], { env });
    assert.notEqual(result.status, 0);
    assert.match(output(result), /\$ sh -c 'echo pre for p-dev; exit 3'/);
    assert.match(output(result), /pre_build_script of p:dev .* failed \(exit 3\)/);
    assert.equal(imageIdOf(ref('p-dev')), undefined);
    assert.ok(!ws.exists('apps/p/pip.conf'));
  }));

  it('a successful build: pip.conf is in the context during the build and gone after; scripts run around it', withWorkspace({
    'apps/p/pip.conf.template': '[global]\nindex-url = http://pypi.invalid/simple\n',
    'apps/p/docker/dev/Dockerfile': 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nCOPY pip.conf /etc/pip.conf\n',
    'apps/p/docker/run.cfg': '[dev]\npre_build_script = echo pre > pre.txt\npost_build_script = echo post for {image}:{tag} > post.txt\n',
  }, (ws) => {
    const result = ws.nx(['run', 'p:docker-build:dev', '--output-style=static'], { env });
    assert.equal(result.status, 0, output(result));
    assert.match(docker(['run', '--rm', ref('p-dev'), 'cat', '/etc/pip.conf']), /pypi\.invalid/);
    assert.ok(!ws.exists('apps/p/pip.conf'), 'pip.conf removed after the build');
    assert.equal(ws.read('apps/p/pre.txt').trim(), 'pre');
    assert.equal(ws.read('apps/p/post.txt').trim(), `post for p-dev:${TAG}`);
  }));

  it('a failing post_build_script fails the task but keeps the image', withWorkspace({
    'apps/p/docker/run.cfg': '[base]\npost_build_script = exit 4\n',
  }, (ws) => {
    const result = ws.nx(['run', 'p:docker-build-base', '--output-style=static'], { env });
    assert.notEqual(result.status, 0);
    assert.match(output(result), /post_build_script of p:base .* failed \(exit 4\)/);
    assert.ok(imageIdOf(ref('p-base')));
  }));

  it('--name names the image as given', withWorkspace({}, (ws) => {
    const named = `dockconv-e2e-named:${TAG}`;
    try {
      const result = ws.nx(['run', 'p:docker-build', '--image=base', `--name=dockconv-e2e-named`, '--output-style=static'], { env });
      assert.equal(result.status, 0, output(result));
      assert.ok(imageIdOf(named), output(result));
    } finally {
      removeImages([named]);
    }
  }));

  it('Ctrl-C mid-build leaves no pip.conf, no half-written version file, no tag', withWorkspace({
    'apps/p/pip.conf.template': '[global]\nindex-url = http://pypi.invalid/simple\n',
    'apps/p/setup.cfg': '[versioneer]\nVCS = git\nstyle = pep440\nversionfile_source = p/_version.py\ntag_prefix = v\n',
    // The run's own tag in the RUN line: a layer cache kept from an earlier run (engines outlive
    // test runs on a developer's machine) must not finish the build before the Ctrl-C.
    'apps/p/docker/slow/Dockerfile': `ARG BASE_IMAGE\nFROM \${BASE_IMAGE}\nCOPY pip.conf _version.py.bld /etc/\nRUN echo ${TAG} > /run.txt && sleep 60\n`,
  }, async (ws) => {
    const child = spawn(join(ws.root, 'node_modules/.bin/nx'), ['run', 'p:docker-build-slow', '--output-style=stream'], {
      cwd: ws.root,
      env: e2eEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    child.stdout.on('data', (d: Buffer) => (log += d.toString()));
    child.stderr.on('data', (d: Buffer) => (log += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await waitFor(() => /sleep 60/.test(log) && ws.exists('apps/p/pip.conf'), 60_000, () => log);
    child.kill('SIGINT');
    const code = await exited;
    await waitFor(() => !ws.exists('apps/p/pip.conf'), 10_000, () => log);
    assert.notEqual(code, 0, log);
    assert.equal(imageIdOf(ref('p-slow')), undefined);
    const leftovers = readdirSync(join(ws.root, 'apps/p')).filter((f) => f.endsWith('.tmp') || f === 'pip.conf');
    assert.deepEqual(leftovers, []);
    assert.ok(ws.exists('apps/p/_version.py.bld') && /def get_versions/.test(ws.read('apps/p/_version.py.bld')));
    await waitFor(() => !docker(['ps', '-a', '--filter', `ancestor=${imageIdOf(ref('p-base')) ?? ''}`, '-q']), 15_000, () => 'a build container was left behind');
  }));
});

describe('docker-build with versioneer and BuildKit', () => {
  it('writes _version.py.bld before the build, labels the version; a BuildKit client builds too', async () => {
    ensureEngine();
    const ws = createWorkspace({
      'apps/v/project.json': projectJson('v'),
      'apps/v/.gitignore': '_version.py.bld\n',
      'apps/v/setup.cfg': '[versioneer]\nVCS = git\nstyle = pep440\nversionfile_source = v/_version.py\ntag_prefix = v\n',
      'apps/v/docker/base/Dockerfile': 'FROM dockconv-busybox:latest\nARG VERSION\nCOPY _version.py.bld /app/_version.py\nRUN echo "$VERSION" > /app/VERSION\n',
    }, { git: true });
    try {
      ws.git(['tag', 'v1.2.0']);
      const buildkit = existsSync('/usr/bin/docker') ? { DOCKCONV_DOCKER: '/usr/bin/docker' } : {};
      const result = ws.nx(['run', 'v:docker-build'], { env: { ...env, ...buildkit } });
      assert.equal(result.status, 0, output(result));
      assert.match(ws.read('apps/v/_version.py.bld'), /"version": "1\.2\.0"/);
      assert.equal(label('v-base', 'org.opencontainers.image.version'), '1.2.0');
      assert.equal(docker(['run', '--rm', ref('v-base'), 'cat', '/app/VERSION']), '1.2.0');
      if (buildkit.DOCKCONV_DOCKER) assert.equal(JSON.parse(ws.read('dist/dockconv/apps/v/base.json')).builder, 'buildkit');
    } finally {
      removeImages([ref('v-base')]);
      ws.remove();
    }
  });
});

async function waitFor(check: () => boolean, ms: number, context: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out: ${context()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
