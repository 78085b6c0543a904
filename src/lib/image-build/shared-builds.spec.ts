import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DockconvError } from '../errors';
import { layerCacheFlags, resolveSharedPush, resolveSharedRegistry, sharedRef } from './shared-builds';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

describe('shared builds', () => {
  it('names a shared image by its inputs digest, in a valid tag', () => {
    const ref = sharedRef('127.0.0.1:5000/cache', 'shop-base', DIGEST);
    assert.equal(ref, `127.0.0.1:5000/cache/shop-base:inputs-${'ab'.repeat(32)}`);
    assert.ok((ref.split(':').at(-1) ?? '').length <= 128);
  });

  it('gives BuildKit the layer cache of the reference; the legacy builder none', () => {
    assert.deepEqual(layerCacheFlags('r:5000', 'shop-base:ci', 'buildkit'), ['--cache-from', 'type=registry,ref=r:5000/shop-base:ci', '--cache-to', 'type=inline']);
    assert.deepEqual(layerCacheFlags('r:5000', 'shop-base:ci', 'legacy'), []);
    assert.deepEqual(layerCacheFlags(undefined, 'shop-base:ci', 'buildkit'), []);
  });

  describe('which registry', () => {
    const env = { DOCKCONV_SHARED_REGISTRY: 'env.example:5000' };
    it('the option, else the environment, else the plugin option', () => {
      assert.equal(resolveSharedRegistry('opt.example', env, 'plugin.example'), 'opt.example');
      assert.equal(resolveSharedRegistry(undefined, env, 'plugin.example'), 'env.example:5000');
      assert.equal(resolveSharedRegistry(undefined, {}, 'https://plugin.example/ns/'), 'plugin.example/ns');
      assert.equal(resolveSharedRegistry(undefined, {}, undefined), undefined);
    });
    it('none or empty at a higher level turns sharing off', () => {
      assert.equal(resolveSharedRegistry('none', env, 'plugin.example'), undefined);
      assert.equal(resolveSharedRegistry(undefined, { DOCKCONV_SHARED_REGISTRY: '' }, 'plugin.example'), undefined);
    });
    it('refuses what is not a registry, naming where it came from', () => {
      const refused = (file: string, value: string) => (err: unknown) => err instanceof DockconvError && err.file === file && err.message === `invalid registry '${value}'`;
      assert.throws(() => resolveSharedRegistry(undefined, { DOCKCONV_SHARED_REGISTRY: 'not a host' }, undefined), refused('DOCKCONV_SHARED_REGISTRY', 'not a host'));
      assert.throws(() => resolveSharedRegistry(undefined, {}, 'cache'), refused('nx.json', 'cache'));
      assert.throws(() => resolveSharedRegistry('x y', {}, undefined), refused('--sharedRegistry', 'x y'));
    });
  });

  describe('whether this machine pushes', () => {
    it('the option, else DOCKCONV_SHARED_PUSH, else the plugin option, else it pushes', () => {
      assert.deepEqual(resolveSharedPush(true, { DOCKCONV_SHARED_PUSH: 'false' }, false), { push: true, source: '--sharedPush=true' });
      assert.deepEqual(resolveSharedPush(undefined, { DOCKCONV_SHARED_PUSH: 'false' }, true), { push: false, source: 'DOCKCONV_SHARED_PUSH=false' });
      assert.deepEqual(resolveSharedPush(undefined, { DOCKCONV_SHARED_PUSH: 'TRUE' }, false), { push: true, source: 'DOCKCONV_SHARED_PUSH=TRUE' });
      assert.deepEqual(resolveSharedPush(undefined, {}, false), { push: false, source: 'sharedPush: false in nx.json' });
      assert.equal(resolveSharedPush(undefined, {}, undefined).push, true);
    });
    it('an empty variable is no setting (CI defines unset variables empty)', () => {
      assert.equal(resolveSharedPush(undefined, { DOCKCONV_SHARED_PUSH: ' ' }, false).push, false);
    });
    it('refuses a value that is neither true nor false, naming it', () => {
      assert.throws(() => resolveSharedPush(undefined, { DOCKCONV_SHARED_PUSH: 'maybe' }, undefined), (err: unknown) => err instanceof DockconvError && err.message === 'DOCKCONV_SHARED_PUSH=maybe is neither true nor false');
      assert.throws(() => resolveSharedPush(undefined, {}, 'false'), (err: unknown) => err instanceof DockconvError && err.file === 'nx.json' && /sharedPush must be true or false, not "false"/.test(err.message));
    });
  });
});
