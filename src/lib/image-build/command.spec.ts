import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatCommand } from '../text/shown';
import { buildInvocation, type BuildCommand } from './command';
import { imageLabels } from './labels';

const buildCommand = (c: BuildCommand) => buildInvocation(c).args;

const base: BuildCommand = {
  dockerfile: 'apps/shop/docker/dev/Dockerfile',
  context: 'apps/shop',
  ref: 'shop-dev:alice',
  buildArgs: new Map([
    ['BASE_IMAGE', { value: 'shop-base:alice', shown: 'shop-base:alice' }],
    ['TOKEN', { value: 's3cret', shown: '${TOKEN}' }],
  ]),
  flags: [],
  labels: { 'dev.dockconv.image': 'dev' },
  builder: 'legacy',
};

describe('docker build command lines', () => {
  it('are copy-pasteable from the workspace root, secrets as $VAR', () => {
    assert.equal(
      formatCommand(['docker', ...buildCommand(base)]),
      'docker build -f apps/shop/docker/dev/Dockerfile -t shop-dev:alice --build-arg BASE_IMAGE=shop-base:alice --build-arg TOKEN=${TOKEN} --label dev.dockconv.image=dev --force-rm apps/shop',
    );
  });
  it('builder stage, no-cache and pull; BuildKit gets plain progress instead of --force-rm', () => {
    const line = formatCommand(buildCommand({ ...base, target: 'builder', ref: 'shop-dev-builder:alice', noCache: true, pull: true, builder: 'buildkit' }));
    assert.match(line, /--target builder -t shop-dev-builder:alice/);
    assert.match(line, /--no-cache --pull --progress=plain apps\/shop$/);
    assert.doesNotMatch(line, /--force-rm/);
  });
  it('quotes label values with spaces', () => {
    assert.match(formatCommand(buildCommand({ ...base, labels: { a: 'two words' } })), /--label 'a=two words'/);
  });
});

describe('labels for the legacy builder', () => {
  const dockerfileText = 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nRUN make';
  const labels = { 'org.opencontainers.image.version': '1.0+2.gabc', 'dev.dockconv.image': 'dev' };
  it('go as one LABEL line after the Dockerfile, fed on stdin, and the printed line makes the same', () => {
    const { args, stdin } = buildInvocation({ ...base, labels, dockerfileText });
    const line = formatCommand(['docker', ...args]);
    assert.match(line, /^docker build -f - -t shop-dev:alice /);
    assert.doesNotMatch(line, /--label/);
    assert.equal(stdin?.text, `${dockerfileText}\nLABEL org.opencontainers.image.version='1.0+2.gabc' dev.dockconv.image='dev'\n`);
    assert.equal(stdin?.shown, `{ cat apps/shop/docker/dev/Dockerfile; printf '\\n%s\\n' "LABEL org.opencontainers.image.version='1.0+2.gabc' dev.dockconv.image='dev'"; }`);
  });
  it('a live character in a value switches the printed line to single quotes', () => {
    const { stdin } = buildInvocation({ ...base, labels: { a: 'x$HOME' }, dockerfileText });
    assert.equal(stdin?.shown, `{ cat apps/shop/docker/dev/Dockerfile; printf '\\n%s\\n' 'LABEL a='\\''x$HOME'\\'''; }`);
  });
  it('the printed shell makes exactly the text docker is given, backslashes and all', () => {
    const { stdin } = buildInvocation({ ...base, labels: { a: 'c:\\new\\tab', b: '$(x) `y` "z"' }, dockerfileText });
    assert.ok(stdin);
    const dir = mkdtempSync(join(tmpdir(), 'dockconv-cmd-'));
    mkdirSync(join(dir, 'apps/shop/docker/dev'), { recursive: true });
    writeFileSync(join(dir, 'apps/shop/docker/dev/Dockerfile'), dockerfileText);
    assert.equal(execFileSync('sh', ['-c', stdin.shown], { cwd: dir, encoding: 'utf8' }), stdin.text);
  });
  it('stay flags where a line cannot carry them', () => {
    const flags = (c: Partial<BuildCommand>) => {
      const { args, stdin } = buildInvocation({ ...base, labels, dockerfileText, ...c });
      return stdin === undefined && formatCommand(args).includes('--label dev.dockconv.image=dev');
    };
    assert.equal(flags({ builder: 'buildkit' }), true, 'BuildKit labels cost nothing');
    assert.equal(flags({ target: 'builder' }), true, 'a line at the end would label the last stage');
    assert.equal(flags({ dockerfileText: `${dockerfileText} \\\n` }), true, 'it would join a continued line');
    assert.equal(flags({ labels: { ...labels, 'org.opencontainers.image.source': "https://h/o'brien" } }), true);
    assert.equal(flags({ dockerfileText: undefined }), true);
  });
});

describe('labels', () => {
  it('OCI and our own; version and source only when known', () => {
    assert.deepEqual(imageLabels({ project: 'shop', imageType: 'dev', title: 'shop-dev' }), {
      'org.opencontainers.image.title': 'shop-dev',
      'dev.dockconv.project': 'shop',
      'dev.dockconv.image': 'dev',
    });
    const full = imageLabels({ project: 'p', imageType: 'i', title: 't', version: '1.0', revision: 'abc', source: 'https://h/x', inputs: 'sha256:1' });
    assert.equal(full['org.opencontainers.image.version'], '1.0');
    assert.equal(full['dev.dockconv.inputs'], 'sha256:1');
  });
});
