import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readNxCommand } from './nx-command';

const nx = (...args: string[]) => readNxCommand(['/usr/bin/node', '/ws/node_modules/nx/bin/nx.js', ...args]);

describe('reading an nx command line', () => {
  it('finds the targets of every form of running tasks', () => {
    assert.deepEqual(nx('run', 'shop:docker-build', '--image=worker').targets, ['docker-build']);
    assert.deepEqual(nx('run', 'shop:docker-build:dev').targets, ['docker-build']);
    assert.deepEqual(nx('shop:docker-build-base').targets, ['docker-build-base']);
    assert.deepEqual(nx('docker-build', 'shop').targets, ['docker-build']);
    assert.deepEqual(nx('test').targets, ['test']);
    assert.deepEqual(nx('run-many', '-t', 'docker-build', '--output-style=static').targets, ['docker-build']);
    assert.deepEqual(nx('run-many', '--targets=lint,test', '-p', 'shop').targets, ['lint', 'test']);
    assert.deepEqual(nx('affected', '-t', 'lint', 'docker-build', '--base=HEAD').targets, ['lint', 'docker-build']);
    assert.deepEqual(nx('affected', '--target', 'test').targets, ['test']);
    assert.deepEqual(nx('release', 'publish').targets, ['nx-release-publish']);
    assert.deepEqual(nx('release', 'version', '1.0.0').targets, []);
  });

  it('a command line it cannot read may run any target', () => {
    assert.equal(nx().targets, undefined);
    assert.equal(nx('run-many').targets, undefined);
    assert.equal(nx('run').targets, undefined);
  });

  it('reads the options that change what a build names or whether it builds', () => {
    assert.deepEqual(nx('run', 'shop:docker-build', '--image=worker', '--tag=ci', '--name', 'shop-w'), {
      targets: ['docker-build'],
      tag: 'ci',
      name: 'shop-w',
      image: 'worker',
      dryRun: false,
    });
    assert.equal(nx('run', 'shop:docker-build', '--dryRun').dryRun, true);
    assert.equal(nx('run', 'shop:docker-build', '--dry-run').dryRun, true);
    assert.equal(nx('run', 'shop:docker-build').dryRun, false);
  });
});
