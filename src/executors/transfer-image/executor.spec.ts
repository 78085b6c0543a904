import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import transferImageExecutor, { resolveImageRefs } from './executor';

let ws = '';

function context(projectName = 'shop', root = 'apps/shop'): ExecutorContext {
  return {
    root: ws,
    cwd: ws,
    isVerbose: false,
    projectName,
    projectsConfigurations: { version: 2, projects: { [projectName]: { root } } },
    nxJsonConfiguration: {},
    projectGraph: { nodes: {}, dependencies: {} },
  };
}

describe('transfer-image executor options', () => {
  const savedTag = process.env['DOCKCONV_TAG'];
  before(() => {
    ws = mkdtempSync(join(tmpdir(), 'dockconv-transfer-exec-'));
    mkdirSync(join(ws, 'apps/shop/docker/base'), { recursive: true });
    writeFileSync(join(ws, 'apps/shop/docker/base/Dockerfile'), 'FROM scratch\n');
    mkdirSync(join(ws, 'libs/plain'), { recursive: true });
    process.env['DOCKCONV_TAG'] = 'ci';
  });
  after(() => {
    rmSync(ws, { recursive: true, force: true });
    if (savedTag === undefined) delete process.env['DOCKCONV_TAG'];
    else process.env['DOCKCONV_TAG'] = savedTag;
  });

  it('maps an image type of the project to its reference; other values are references', () => {
    assert.deepEqual(resolveImageRefs({ image: ['base', 'alpine:3', 'other'], to: 'x' }, context()), ['shop-base:ci', 'alpine:3', 'other']);
    assert.deepEqual(resolveImageRefs({ image: 'base', to: 'x' }, context()), ['shop-base:ci']);
  });

  it('a project without a docker/ tree takes every value as a reference', () => {
    assert.deepEqual(resolveImageRefs({ image: 'base', to: 'x' }, context('plain', 'libs/plain')), ['base']);
  });

  it('missing image or destination fail with one clear line', async () => {
    assert.throws(() => resolveImageRefs({ image: [], to: 'x' }, context()), /needs an image/);
    const result = await transferImageExecutor({ image: 'base', to: '' }, context());
    assert.equal(result.success, false);
  });
});
