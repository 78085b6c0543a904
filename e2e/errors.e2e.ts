/**
 * Injection, quoting and bad input through real `nx` in a real workspace on a real engine:
 * values never become shell syntax (canary files), quotes in run.cfg mean what a shell would
 * make of them (checked inside the image or container), a pip.conf the user owns is never
 * touched (git status), and one broken project never blocks the others.
 */
import { existsSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { docker, ensureEngine, removeImages } from './helpers/engine';
import { createWorkspace, output, projectJson, type TestWorkspace } from './helpers/workspace';

const TAG = `e2e-err${process.pid}`;
const env = { DOCKCONV_TAG: TAG };
const ref = (name: string) => `${name}:${TAG}`;
const CANARY = join(tmpdir(), `dockconv-e2e-errors-canary-${process.pid}`);
const BASE = 'FROM dockconv-busybox:latest\nRUN echo base > /base.txt\n';

function withWorkspace(files: Record<string, string>, images: string[], body: (ws: TestWorkspace) => void): () => void {
  return () => {
    const ws = createWorkspace(files);
    try {
      body(ws);
    } finally {
      removeImages(images.map(ref));
      rmSync(`${CANARY}-x`, { force: true });
      rmSync(`${CANARY}-y`, { force: true });
      ws.remove();
    }
  };
}

const nx = (ws: TestWorkspace, args: string[], extra: NodeJS.ProcessEnv = {}) => ws.nx([...args, '--output-style=static'], { env: { ...env, ...extra } });
const errorLines = (text: string) => text.split('\n').filter((l) => /^\s*error: /.test(l));

describe('security: nothing from the environment or run.cfg becomes shell syntax', () => {
  before(() => ensureEngine());
  after(() => rmSync(CANARY, { force: true }));

  it('pre/post_build_script: $VAR reaches sh as $VAR, its value in the environment; {name} values are quoted, in single quotes too', withWorkspace({
    'apps/p/project.json': projectJson('p'),
    'apps/p/docker/base/Dockerfile': BASE,
    'apps/p/docker/run.cfg': [
      '[base]',
      `pre_build_script = printf '%%s\\n' "$REL" > pre.out`,
      `post_build_script = printf '%%s|' $REL {project_root} "{image}" > post.out; echo '{project} {{user}}' >> post.out`,
      '',
    ].join('\n'),
  }, ['p-base'], (ws) => {
    const rel = `a $(touch ${CANARY}-x) \`touch ${CANARY}-y\` b`;
    const result = nx(ws, ['run', 'p:docker-build'], { REL: rel });
    const out = output(result);
    assert.equal(result.status, 0, out);
    assert.equal(ws.read('apps/p/pre.out'), `${rel}\n`);
    assert.equal(ws.read('apps/p/post.out'), `a|$(touch|${CANARY}-x)|\`touch|${CANARY}-y\`|b|${join(ws.root, 'apps/p')}|p-base|p {user}\n`);
    assert.ok(!existsSync(`${CANARY}-x`) && !existsSync(`${CANARY}-y`), 'no command substitution ran on the host');
    assert.match(out, /\$ sh -c 'printf '\\''%s\\n'\\'' "\$REL" > pre\.out'/, 'the printed script shows $REL, not its value');
    assert.ok(!out.includes(`touch ${CANARY}-x`), 'the value is never printed');
  }));

  it('build_args: quotes are removed as a shell would; single quotes keep $VAR literal, not {name} (read back from the image)', withWorkspace({
    'apps/p/project.json': projectJson('p'),
    'apps/p/docker/base/Dockerfile': 'FROM dockconv-busybox:latest\nARG GREETING\nARG LITERAL\nARG FROM_HOST\nRUN printf "%s|%s|%s" "$GREETING" "$LITERAL" "$FROM_HOST" > /args.txt\n',
    'apps/p/docker/run.cfg': `[base]\nbuild_args = --build-arg GREETING="hello world" --build-arg LITERAL='$HOME {project} {{user}}' --build-arg "FROM_HOST=$REL"\n`,
  }, ['p-base'], (ws) => {
    const rel = `x $(touch ${CANARY}-x) "q"`;
    const result = nx(ws, ['run', 'p:docker-build'], { REL: rel });
    assert.equal(result.status, 0, output(result));
    assert.equal(docker(['run', '--rm', ref('p-base'), 'cat', '/args.txt']), `hello world|$HOME p {user}|${rel}`);
    assert.ok(!existsSync(`${CANARY}-x`));
  }));

  it('an existing pip.conf (dangling symlink, directory, file) is left exactly as it is: git status stays clean', withWorkspace({
    'apps/a/project.json': projectJson('a'),
    'apps/a/pip.conf.template': '[global]\nindex-url = http://pypi.invalid/simple\n',
    'apps/a/docker/base/Dockerfile': BASE,
    'apps/b/project.json': projectJson('b'),
    'apps/b/pip.conf.template': '[global]\nindex-url = http://pypi.invalid/simple\n',
    'apps/b/pip.conf/README': 'a folder the user keeps\n',
    'apps/b/docker/base/Dockerfile': BASE,
    'apps/c/project.json': projectJson('c'),
    'apps/c/pip.conf.template': '[global]\nindex-url = http://pypi.invalid/simple\n',
    'apps/c/pip.conf': '[global]\nindex-url = http://mine.invalid/simple\n',
    'apps/c/docker/base/Dockerfile': 'FROM dockconv-busybox:latest\nCOPY pip.conf /etc/pip.conf\n',
  }, ['a-base', 'b-base', 'c-base'], (ws) => {
    symlinkSync('../../secrets/pip.conf', join(ws.root, 'apps/a/pip.conf'));
    ws.git(['init', '-q', '-b', 'main']);
    ws.git(['add', '-A']);
    ws.git(['commit', '-qm', 'initial']);
    const result = nx(ws, ['run-many', '-t', 'docker-build']);
    assert.equal(result.status, 0, output(result));
    assert.equal(ws.git(['status', '--porcelain', '--untracked-files=all', '--ignored=no']), '');
    assert.equal(readlinkSync(join(ws.root, 'apps/a/pip.conf')), '../../secrets/pip.conf');
    assert.match(docker(['run', '--rm', ref('c-base'), 'cat', '/etc/pip.conf']), /mine\.invalid/);
  }));
});

describe('braces: a known {name} is replaced wherever it stands, an unknown one is an error, other braces are the user\'s', () => {
  before(() => ensureEngine());
  const files = {
    'apps/p/project.json': projectJson('p'),
    'apps/p/docker/base/Dockerfile': BASE,
    'apps/p/docker/run.cfg': [
      '[base]',
      `cmd = sh -c 'echo "\${HOSTNAME:-none}|$JSON|{project}|{{nope}}"'`,
      'environment = -e JSON={"a":1}',
      'volumes = -v {project_root}:/src:ro',
      '',
      '[ext]',
      'name = dockconv-busybox',
      'tag = latest',
      'prefix = false',
      'volumes = -v {usr}:/x',
      '',
      '[ext2]',
      'name = dockconv-busybox',
      'tag = latest',
      'prefix = false',
      'environment = -e WHO={nosuch}',
      '',
    ].join('\n'),
  };

  it('{name} in single quotes is replaced, {{ }} are braces; awk, ${VAR:-default} in single quotes, JSON in -e run as written', withWorkspace(files, ['p-base'], (ws) => {
    assert.equal(nx(ws, ['run', 'p:docker-build']).status, 0);
    const result = nx(ws, ['run', 'p:docker-run:base']);
    const out = output(result);
    assert.equal(result.status, 0, out);
    assert.match(out, /\n[0-9a-f]{12}\|\{a:1\}\|p\|\{nope\}\n/, 'the container expanded HOSTNAME; {project} was replaced inside single quotes');
    const awk = nx(ws, ['run', 'p:docker-run:base', `--command=awk 'BEGIN {print "awk-" 6*7}'`]);
    assert.equal(awk.status, 0, output(awk));
    assert.match(output(awk), /\nawk-42\n/);
    assert.doesNotMatch(out + output(awk), /\$\$|unbalanced/);
  }));

  it('an unknown {name} is one error with file, line, the near miss and how to write braces', withWorkspace(files, [], (ws) => {
    const cases: [string, string][] = [
      ['ext', `apps/p/docker/run.cfg:10: unknown replacement variable {usr} in '{usr}:/x' (did you mean {user}?; {{ and }} give literal braces: {{usr}})`],
      ['ext2', `apps/p/docker/run.cfg:16: unknown replacement variable {nosuch} in 'WHO={nosuch}' (known: {user} {project} {project_root} {root} {workspace_root} {home} {workdir} {cwd} {image} {tag}; {{ and }} give literal braces: {{nosuch}})`],
    ];
    for (const [image, message] of cases) {
      const result = nx(ws, ['run', `p:docker-run:${image}`]);
      assert.notEqual(result.status, 0);
      const errors = errorLines(output(result));
      assert.equal(errors.length, 1, output(result));
      assert.ok(errors[0]?.trim().endsWith(message), errors[0]);
    }
  }));
});

describe('one broken project never blocks the workspace', () => {
  before(() => ensureEngine());
  const healthy = {
    'apps/good/project.json': projectJson('good'),
    'apps/good/docker/base/Dockerfile': BASE,
    'libs/other/project.json': JSON.stringify({ name: 'other', targets: { hello: { command: 'echo other-says-hello' } } }),
  };
  const cases: [string, Record<string, string>, RegExp][] = [
    ['a run.cfg that does not parse', { 'apps/bad/docker/base/Dockerfile': BASE, 'apps/bad/docker/run.cfg': '[base]\nthis line is not a key\n' }, /apps\/bad\/docker\/run\.cfg:2: /],
    ['a Dockerfile that does not parse', { 'apps/bad/docker/base/Dockerfile': 'FROM scratch\nFROMM x\n' }, /apps\/bad\/docker\/base\/Dockerfile:2: unknown instruction 'FROMM'/],
    ['an upper-case image folder', { 'apps/bad/docker/Dev/Dockerfile': BASE }, /apps\/bad\/docker\/Dev\/Dockerfile: (image 'Dev' of bad cannot be used: )?invalid image name 'bad-Dev'/],
    ['a FROM cycle', {
      'apps/bad/docker/one/Dockerfile': 'ARG TAG\nFROM bad-two:${TAG}\n',
      'apps/bad/docker/two/Dockerfile': 'ARG TAG\nFROM bad-one:${TAG}\n',
    }, /image dependency cycle: bad:one → bad:two → bad:one/],
    ['a FROM naming an image another project does not have (no registry is asked)', {
      'apps/bad/docker/job/Dockerfile': 'ARG TAG\nFROM good-ghost:${TAG}\n',
    }, /apps\/bad\/docker\/job\/Dockerfile:2: FROM good-ghost:[^:]+: project good has no image 'ghost' \(its images: base\)/],
    ['an ARG without default in FROM', { 'apps/bad/docker/base/Dockerfile': 'ARG IMG\nFROM ${IMG}\n' }, /apps\/bad\/docker\/base\/Dockerfile:2: FROM '\$\{IMG\}' resolves to nothing/],
    ['a run.cfg that cannot be read (a folder)', { 'apps/bad/docker/base/Dockerfile': BASE, 'apps/bad/docker/run.cfg/README': 'not a file\n' }, /apps\/bad\/docker\/run\.cfg: cannot read the file: EISDIR/],
  ];
  for (const [label, broken, message] of cases) {
    it(label, withWorkspace({ ...healthy, 'apps/bad/project.json': projectJson('bad'), ...broken }, ['good-base'], (ws) => {
      const projects = nx(ws, ['show', 'projects']);
      assert.equal(projects.status, 0, output(projects));
      assert.deepEqual(projects.stdout.trim().split('\n').sort(), ['bad', 'good', 'other']);
      const other = nx(ws, ['run', 'other:hello']);
      assert.equal(other.status, 0, output(other));
      const good = nx(ws, ['run', 'good:docker-build']);
      assert.equal(good.status, 0, output(good));
      const shown = nx(ws, ['show', 'project', 'bad', '--json']);
      assert.equal(shown.status, 0, output(shown));
      assert.match(shown.stdout, message, 'nx show project shows the problem');
      const run = nx(ws, ['run', 'bad:docker-build']);
      assert.notEqual(run.status, 0);
      const errors = errorLines(output(run));
      assert.equal(errors.length, 1, output(run));
      assert.match(errors[0] ?? '', message);
    }));
  }
});

describe('misspelt configurations, concurrentBuilds, one warning once', () => {
  before(() => ensureEngine());
  const files = {
    'apps/shop/project.json': projectJson('shop'),
    'apps/shop/docker/base/Dockerfile': BASE,
    'apps/shop/docker/dev/Dockerfile': 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nRUN echo dev > /dev.txt\n',
    'apps/shop/docker/tool/Dockerfile': 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\n',
    'apps/shop/docker/run.cfg': '[dev]\nvolumez = -v /a:/b\n',
  };

  it('nx run shop:docker-build:dve and shop:docker-run:dve fail naming dve and the images; nothing is built', withWorkspace(files, ['shop-base', 'shop-dev', 'shop-tool'], (ws) => {
    for (const target of ['docker-build', 'docker-run']) {
      const result = nx(ws, ['run', `shop:${target}:dve`]);
      assert.notEqual(result.status, 0, output(result));
      const errors = errorLines(output(result));
      assert.equal(errors.length, 1, output(result));
      assert.match(errors[0] ?? '', new RegExp(`shop:${target} has no configuration 'dve' \\(images: base, dev, tool\\)`));
    }
    assert.equal(docker(['images', '-q', ref('shop-base')]), '', 'nothing was built');
  }));

  it('--concurrentBuilds is the executor\'s (0 is refused); an unknown run.cfg key warns once per build', withWorkspace(files, ['shop-base', 'shop-dev', 'shop-tool'], (ws) => {
    const zero = nx(ws, ['run', 'shop:docker-build', '--concurrentBuilds=0', '--skip-nx-cache']);
    assert.notEqual(zero.status, 0);
    assert.match(output(zero), /--concurrentBuilds must be a whole number ≥ 1, not 0/);
    const result = nx(ws, ['run', 'shop:docker-build', '--concurrentBuilds=1']);
    assert.equal(result.status, 0, output(result));
    const warnings = output(result).split('\n').filter((l) => l.includes("unknown key 'volumez'"));
    assert.equal(warnings.length, 1, output(result));
    assert.match(warnings[0] ?? '', /did you mean 'volumes'\?/);
  }));

  it('output a person reads: no legacy-builder banner; what was skipped, once, also on a cache hit', withWorkspace(files, ['shop-base', 'shop-dev', 'shop-tool'], (ws) => {
    for (const attempt of ['built', 'from the cache']) {
      const result = nx(ws, ['run', 'shop:docker-build:dev']);
      const out = output(result);
      assert.equal(result.status, 0, out);
      assert.doesNotMatch(out, /DEPRECATED|DOCKER_BUILDKIT=0/, attempt);
      const skipped = out.split('\n').filter((l) => /skipped/.test(l));
      assert.equal(skipped.length, 1, `${attempt}: ${out}`);
      assert.match(skipped[0] ?? '', /skipped, not needed for dev: tool$/);
    }
    assert.equal(docker(['images', '-q', ref('shop-tool')]), '');
  }));
});
