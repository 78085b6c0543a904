/**
 * gen-version through real Nx with the packed plugin: the file it writes imports (with
 * /usr/bin/python3) to exactly what real versioneer computes in the same repository.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { skipRequired } from '../src/testing/required';
import { createWorkspace, e2eEnv, output, projectJson, type TestWorkspace } from './helpers/workspace';

const PYTHON = '/usr/bin/python3';
const hasVersioneer = spawnSync(PYTHON, ['-c', 'import versioneer'], { stdio: 'ignore' }).status === 0;

const files = {
  'apps/py/project.json': projectJson('py'),
  'apps/py/docker/base/Dockerfile': 'FROM dockconv-busybox:latest\nCOPY _version.py.bld /app/_version.py\n',
  'apps/py/setup.py': 'import versioneer\n',
  'apps/py/setup.cfg': '[versioneer]\nVCS = git\nstyle = pep440\nversionfile_source = py/_version.py\ntag_prefix = v\n',
  'apps/plain/project.json': projectJson('plain'),
  'apps/plain/docker/base/Dockerfile': 'FROM dockconv-busybox:latest\n',
  'apps/broken/project.json': projectJson('broken'),
  'apps/broken/docker/base/Dockerfile': 'FROM dockconv-busybox:latest\n',
  'apps/broken/setup.cfg': '[versioneer]\nVCS = git\nstyle = pep440-fancy\n',
};

/** What real versioneer and our file's get_versions() return, as JSON text. */
function python(code: string, cwd: string): string {
  const r = spawnSync(PYTHON, ['-c', `import json, runpy, versioneer\n${code}`], { cwd, encoding: 'utf8', env: e2eEnv() });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

describe('gen-version in a real Nx workspace', () => {
  let ws: TestWorkspace;
  before(() => {
    ws = createWorkspace(files, { git: true });
    ws.git(['tag', '-a', '-m', 'release', 'v2.3']);
    ws.write('apps/py/more.txt', 'x\n');
    ws.git(['add', 'apps/py/more.txt']);
    ws.git(['commit', '-qm', 'more']);
    ws.write('apps/py/setup.py', 'import versioneer  # dirty\n');
  });
  after(() => ws.remove());

  it('writes _version.py.bld whose get_versions() equals versioneer', (t) => {
    if (!hasVersioneer) return skipRequired(t, `needs real versioneer: '${PYTHON} -c "import versioneer"' failed (apt-get install python3-versioneer)`);
    const result = ws.nx(['run', 'py:gen-version', '--skip-nx-cache']);
    assert.equal(result.status, 0, output(result));
    assert.match(output(result), /2\.3\+1\.g[0-9a-f]{7}\.dirty/);
    const root = join(ws.root, 'apps/py');
    const theirs = python('print(json.dumps(versioneer.get_versions()))', root);
    const ours = python("print(json.dumps(runpy.run_path('_version.py.bld')['get_versions']()))", root);
    assert.deepEqual(JSON.parse(ours), JSON.parse(theirs));
  });

  it('--style and --output override', () => {
    const result = ws.nx(['run', 'py:gen-version', '--style=git-describe-long', '--output=v.py', '--skip-nx-cache']);
    assert.equal(result.status, 0, output(result));
    assert.match(ws.read('apps/py/v.py'), /"version": "2\.3-1-g[0-9a-f]{7}-dirty"/);
  });

  it('without versioneer settings: prints the git describe version, writes nothing', () => {
    const result = ws.nx(['run', 'plain:gen-version', '--skip-nx-cache']);
    assert.equal(result.status, 0, output(result));
    assert.match(output(result), /nothing written/);
    assert.match(output(result), /v2\.3-1-g[0-9a-f]{7}-dirty \([0-9a-f]{40}\)/);
    assert.equal(ws.exists('apps/plain/_version.py.bld'), false);
  });

  it('a bad style in setup.cfg: one clear message, non-zero exit, no file', () => {
    const result = ws.nx(['run', 'broken:gen-version', '--skip-nx-cache']);
    assert.notEqual(result.status, 0);
    assert.match(output(result), /setup\.cfg: unknown versioneer style 'pep440-fancy'/);
    assert.equal(ws.exists('apps/broken/_version.py.bld'), false);
  });
});
