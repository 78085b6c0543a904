import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { inputsDigest, type BuildInputs } from './build-inputs';

const inputs: BuildInputs = {
  dockerfile: 'FROM scratch\n',
  dockerignore: '',
  contextFiles: [['a.txt', 'd1']],
  buildKeys: { tag: 'x', name: 'y' },
  buildArgs: { A: '1', B: '2' },
  flags: [],
  ref: 'p-base:alice',
  parents: { 'debian:12': 'sha256:1' },
};

describe('inputs digest', () => {
  it('is stable: same inputs, same digest, whatever the key order', () => {
    const reordered: BuildInputs = { ...inputs, buildArgs: { B: '2', A: '1' }, buildKeys: { name: 'y', tag: 'x' } };
    assert.equal(inputsDigest(reordered), inputsDigest(inputs));
    assert.match(inputsDigest(inputs), /^sha256:[0-9a-f]{64}$/);
  });
  const changes: [string, Partial<BuildInputs>][] = [
    ['the Dockerfile', { dockerfile: 'FROM scratch\nRUN x\n' }],
    ['.dockerignore', { dockerignore: 'x\n' }],
    ['a copied file', { contextFiles: [['a.txt', 'd2']] }],
    ['a copied file list', { contextFiles: [['a.txt', 'd1'], ['b.txt', 'd1']] }],
    ['a build key', { buildKeys: { tag: 'x', name: 'z' } }],
    ['a build arg', { buildArgs: { A: '1', B: '3' } }],
    ['the tag', { ref: 'p-base:bob' }],
    ['a parent image ID', { parents: { 'debian:12': 'sha256:2' } }],
    ['extra flags', { flags: ['--network', 'host'] }],
  ];
  for (const [label, change] of changes) {
    it(`changes with ${label}`, () => assert.notEqual(inputsDigest({ ...inputs, ...change }), inputsDigest(inputs)));
  }
});
