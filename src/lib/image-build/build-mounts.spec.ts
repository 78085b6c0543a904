import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DockconvError } from '../errors';
import { mountFlags, parseMounts, parseSecret, parseSsh } from './build-mounts';

const root = mkdtempSync(join(tmpdir(), 'dockconv-mounts-'));
mkdirSync(join(root, 'proj', 'keys'), { recursive: true });
writeFileSync(join(root, 'proj', 'npmrc'), 'token=xyz');
writeFileSync(join(root, 'proj', 'keys', 'deploy'), 'key');
const paths = { base: join(root, 'proj'), cwd: root };
const where = { file: 'proj/docker/run.cfg', line: 4 };
const fails = (fn: () => unknown, pattern: RegExp) =>
  assert.throws(fn, (err: unknown) => err instanceof DockconvError && pattern.test(err.describe()) && err.describe().startsWith('proj/docker/run.cfg:4: '));

describe('build secrets', () => {
  it('a file, relative to where the value was written, printed relative to where the build runs', () => {
    assert.equal(parseSecret('id=npmrc,src=npmrc', paths, {}, where), 'id=npmrc,src=proj/npmrc');
    assert.equal(parseSecret('id=npmrc,source=npmrc,type=file', paths, {}, where), 'id=npmrc,src=proj/npmrc');
  });

  it('a variable: its name only, and it must be set', () => {
    assert.equal(parseSecret('id=tok,env=GITHUB_TOKEN', paths, { GITHUB_TOKEN: 'ghp_secret' }, where), 'id=tok,env=GITHUB_TOKEN');
    assert.equal(parseSecret('id=tok,type=env,src=GITHUB_TOKEN', paths, { GITHUB_TOKEN: '' }, where), 'id=tok,env=GITHUB_TOKEN');
    fails(() => parseSecret('id=tok,env=GITHUB_TOKEN', paths, {}, where), /the variable GITHUB_TOKEN is not set/);
  });

  it('bad specs are errors at their run.cfg line', () => {
    fails(() => parseSecret('id=npmrc,src=nope', paths, {}, where), /secret 'npmrc': nope does not exist/);
    fails(() => parseSecret('id=npmrc', paths, {}, where), /neither which file nor which variable/);
    fails(() => parseSecret('src=npmrc', paths, {}, where), /needs an id/);
    fails(() => parseSecret('id=a b,src=npmrc', paths, {}, where), /needs an id/);
    fails(() => parseSecret('id=x,value=hunter2', paths, {}, where), /'value=hunter2' is not id=, src=, env= or type=/);
    fails(() => parseSecret('id=x,type=socket,src=npmrc', paths, {}, where), /neither which file nor which variable/);
  });

  it('several, split as a shell splits', () => {
    const m = parseMounts(['id=a,src=npmrc  id=b,env=B'], ['deploy=keys/deploy'], paths, { B: '1' }, where);
    assert.deepEqual(m, { secrets: ['id=a,src=proj/npmrc', 'id=b,env=B'], ssh: ['deploy=proj/keys/deploy'] });
  });
});

describe('ssh forwarding', () => {
  it('default needs an agent', () => {
    assert.equal(parseSsh('default', paths, { SSH_AUTH_SOCK: '/tmp/agent.sock' }, where), 'default');
    fails(() => parseSsh('default', paths, {}, where), /no ssh agent \(SSH_AUTH_SOCK is not set\)/);
  });

  it('keys must exist', () => {
    assert.equal(parseSsh('default=keys/deploy,npmrc', paths, {}, where), 'default=proj/keys/deploy,proj/npmrc');
    fails(() => parseSsh('git=keys/missing', paths, {}, where), /ssh 'git': keys\/missing does not exist/);
  });
});

describe('flags', () => {
  it('BuildKit gets --secret and --ssh', () => {
    assert.deepEqual(mountFlags({ secrets: ['id=a,env=A'], ssh: ['default'] }, 'buildkit', 'p:dev'), ['--secret', 'id=a,env=A', '--ssh', 'default']);
    assert.deepEqual(mountFlags({ secrets: [], ssh: [] }, 'legacy', 'p:dev'), []);
  });

  it('the legacy builder refuses instead of building without them', () => {
    assert.throws(() => mountFlags({ secrets: ['id=a,env=A'], ssh: [] }, 'legacy', 'p:dev'), /p:dev uses build secrets, which need BuildKit/);
  });
});
