import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import genVersionExecutor from './executor';

let ws = '';

function context(projectRoot: string): ExecutorContext {
  return {
    root: ws,
    cwd: ws,
    isVerbose: false,
    projectName: 'py',
    projectsConfigurations: { version: 2, projects: { py: { root: projectRoot } } },
    nxJsonConfiguration: {},
    projectGraph: { nodes: {}, dependencies: {} },
  };
}

function git(...args: string[]): void {
  execFileSync('git', args, { cwd: ws, stdio: 'ignore' });
}

describe('gen-version executor', () => {
  before(() => {
    ws = mkdtempSync(join(tmpdir(), 'dockconv-genversion-'));
    Object.assign(process.env, {
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_CEILING_DIRECTORIES: dirname(ws),
      GIT_AUTHOR_NAME: 'T',
      GIT_AUTHOR_EMAIL: 't@example.com',
      GIT_COMMITTER_NAME: 'T',
      GIT_COMMITTER_EMAIL: 't@example.com',
    });
    mkdirSync(join(ws, 'apps', 'py'), { recursive: true });
    mkdirSync(join(ws, 'apps', 'plain'), { recursive: true });
    writeFileSync(join(ws, 'apps', 'py', 'setup.cfg'), '[versioneer]\nVCS = git\nstyle = pep440\ntag_prefix = v\n');
    writeFileSync(join(ws, 'apps', 'plain', 'README'), 'x\n');
    git('init', '-q', '-b', 'master');
    git('add', '.');
    git('commit', '-q', '-m', 'one');
    git('tag', 'v1.4');
  });
  after(() => rmSync(ws, { recursive: true, force: true }));

  it('writes _version.py.bld at the project root', async () => {
    assert.deepEqual(await genVersionExecutor({}, context('apps/py')), { success: true });
    const text = readFileSync(join(ws, 'apps', 'py', '_version.py.bld'), 'utf8');
    assert.match(text, /"version": "1\.4"/);
    assert.match(text, /def get_versions\(\):/);
  });

  it('honours output and style', async () => {
    const result = await genVersionExecutor({ output: 'pkg/v.py', style: 'git-describe-long' }, context('apps/py'));
    assert.deepEqual(result, { success: false }, 'pkg/ does not exist yet: a clear failure');
    mkdirSync(join(ws, 'apps', 'py', 'pkg'));
    assert.deepEqual(await genVersionExecutor({ output: 'pkg/v.py', style: 'git-describe-long' }, context('apps/py')), {
      success: true,
    });
    assert.match(readFileSync(join(ws, 'apps', 'py', 'pkg', 'v.py'), 'utf8'), /"version": "1\.4-0-g[0-9a-f]{7}"/);
    assert.deepEqual(readdirSync(join(ws, 'apps', 'py', 'pkg')), ['v.py'], 'no temp file left');
  });

  it('refuses an output outside the project and an unknown style', async () => {
    assert.deepEqual(await genVersionExecutor({ output: '../x.py' }, context('apps/py')), { success: false });
    assert.equal(existsSync(join(ws, 'apps', 'x.py')), false);
    const bad = await genVersionExecutor({ style: 'pep999' as never }, context('apps/py'));
    assert.deepEqual(bad, { success: false });
  });

  it('fails on a broken setup.cfg and writes nothing', async () => {
    mkdirSync(join(ws, 'apps', 'broken'));
    writeFileSync(join(ws, 'apps', 'broken', 'setup.cfg'), '[versioneer]\nVCS = git\nstyle = fancy\n');
    assert.deepEqual(await genVersionExecutor({}, context('apps/broken')), { success: false });
    assert.equal(existsSync(join(ws, 'apps', 'broken', '_version.py.bld')), false);
  });

  it('without versioneer settings writes nothing and succeeds', async () => {
    assert.deepEqual(await genVersionExecutor({}, context('apps/plain')), { success: true });
    assert.equal(existsSync(join(ws, 'apps', 'plain', '_version.py.bld')), false);
  });
});
