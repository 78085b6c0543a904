import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DockconvError } from '../errors';
import { imageName, isValidRepository, parseReference, sanitizeComponent, sanitizeTag } from './naming';

describe('sanitizeComponent', () => {
  const cases: [string, string][] = [
    ['myproj', 'myproj'],
    ['MyProj', 'myproj'],
    ['@scope/name', 'scope-name'],
    ['@Scope/My.App', 'scope-my.app'],
    ['a b+c', 'a-b-c'],
    ['-lead-trail-', 'lead-trail'],
    ['x__y', 'x__y'],
    ['x._-y', 'x-y'],
    ['???', 'x'],
  ];
  for (const [input, expected] of cases) {
    it(`${input} → ${expected}`, () => {
      assert.equal(sanitizeComponent(input), expected);
      assert.ok(isValidRepository(sanitizeComponent(input)));
    });
  }
});

describe('sanitizeTag', () => {
  for (const [input, expected] of [
    ['alice', 'alice'],
    ['Alice.B', 'Alice.B'],
    ['DOMAIN\\bob', 'DOMAIN-bob'],
    ['.hidden', 'hidden'],
    ['', 'latest'],
  ] as const) {
    it(`${JSON.stringify(input)} → ${expected}`, () => assert.equal(sanitizeTag(input), expected));
  }
});

describe('isValidRepository', () => {
  for (const ok of ['a', 'a-b', 'a/b', 'ghcr.io/org/app', 'localhost:5000/x', 'a__b', 'jupyter/scipy-notebook']) {
    it(`accepts ${ok}`, () => assert.ok(isValidRepository(ok)));
  }
  for (const bad of ['A', 'a-', '-a', 'a//b', 'a:b', '', 'a b']) {
    it(`rejects ${JSON.stringify(bad)}`, () => assert.ok(!isValidRepository(bad)));
  }
});

describe('imageName: overrides in rising priority', () => {
  const base = { project: '@acme/Proj', image: 'dev', env: {}, user: 'alice' };
  const cases: [string, Parameters<typeof imageName>[0], string][] = [
    ['defaults', base, 'acme-proj-dev:alice'],
    ['plugin tag', { ...base, plugin: { tag: 'ci' } }, 'acme-proj-dev:ci'],
    ['plugin prefix off', { ...base, plugin: { prefix: false } }, 'dev:alice'],
    ['section beats plugin', { ...base, plugin: { tag: 'ci' }, section: { tag: { value: 'v1' } } }, 'acme-proj-dev:v1'],
    ['section name keeps prefix', { ...base, section: { name: { value: 'tools' } } }, 'acme-proj-tools:alice'],
    [
      'config-only image',
      { ...base, section: { name: { value: 'jupyter/base-notebook' }, tag: { value: 'latest' }, prefix: { value: false } } },
      'jupyter/base-notebook:latest',
    ],
    ['env beats section', { ...base, env: { DOCKCONV_TAG: 'pr-7' }, section: { tag: { value: 'v1' } } }, 'acme-proj-dev:pr-7'],
    ['options beat env', { ...base, env: { DOCKCONV_TAG: 'pr-7' }, options: { tag: 'mine', name: 'x/y' } }, 'x/y:mine'],
    ['user sanitised', { ...base, user: 'DOM\\bob' }, 'acme-proj-dev:DOM-bob'],
  ];
  for (const [label, layers, ref] of cases) {
    it(label, () => assert.equal(imageName(layers).ref, ref));
  }

  it('rejects an invalid tag with the file and line it came from', () => {
    assert.throws(
      () => imageName({ ...base, section: { tag: { value: 'bad tag', where: { file: 'docker/run.cfg', line: 3 } } } }),
      (e: unknown) => e instanceof DockconvError && e.describe().startsWith("docker/run.cfg:3: invalid image tag 'bad tag'"),
    );
  });
  it('rejects an invalid --name', () => {
    assert.throws(() => imageName({ ...base, options: { name: 'Bad' } }), /invalid image name 'Bad'/);
  });
});

describe('parseReference', () => {
  for (const [ref, repository, tag] of [
    ['a', 'a', 'latest'],
    ['a:1', 'a', '1'],
    ['localhost:5000/a', 'localhost:5000/a', 'latest'],
    ['localhost:5000/a:2', 'localhost:5000/a', '2'],
    ['a:3@sha256:abc', 'a', '3'],
  ] as const) {
    it(ref, () => assert.deepEqual(parseReference(ref), { repository, tag }));
  }
});
