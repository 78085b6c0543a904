import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tempTree } from '../../testing/temp-tree';
import { contextFiles, digestFiles, readDockerignore, segmentPattern } from './context-files';

const files: Record<string, string> = {
  'requirements.txt': 'x\n',
  'README.md': 'never copied\n',
  'src/a.py': 'a\n',
  'src/notes.md': 'ignored\n',
  'src/sub/b.py': 'b\n',
  'dist/out.bin': 'ignored dir\n',
  'dist/keep.txt': 'kept by !\n',
  'pip.conf.template': '[global]\n',
  '.dockerignore': 'src/*.md\ndist\n!dist/keep.txt\n',
};
const root = tempTree(files, 'dockconv-ctx-');
after(() => rmSync(root, { recursive: true, force: true }));
const { ignore } = readDockerignore(root);

describe('context files a build copies', () => {
  it('follows COPY sources into folders, after .dockerignore', () => {
    assert.deepEqual(contextFiles(root, ['requirements.txt', 'src/'], ignore), ['requirements.txt', 'src/a.py', 'src/sub/b.py']);
  });
  it('`.` is the whole context minus .dockerignore, exceptions included', () => {
    const all = contextFiles(root, ['.'], ignore);
    assert.ok(all.includes('dist/keep.txt') && all.includes('README.md'));
    assert.ok(!all.includes('dist/out.bin') && !all.includes('src/notes.md'));
  });
  it('matches globs per path segment as COPY does', () => {
    assert.deepEqual(contextFiles(root, ['*.txt', 'src/*.py'], ignore), ['requirements.txt', 'src/a.py']);
    assert.ok(segmentPattern('[ab]?.py')?.test('a1.py'));
    assert.equal(segmentPattern('plain'), undefined);
  });
  it('counts pip.conf as present while only its template exists', () => {
    assert.deepEqual(contextFiles(root, ['pip.conf'], ignore), []);
    assert.deepEqual(contextFiles(root, ['pip.conf'], ignore, ['pip.conf']), ['pip.conf']);
    const overlay = new Map([['pip.conf', join(root, 'pip.conf.template')]]);
    assert.deepEqual(digestFiles(root, ['pip.conf'], overlay)[0]?.[1], digestFiles(root, ['pip.conf.template'])[0]?.[1]);
  });
  it('digests content and the executable bit', () => {
    const before = digestFiles(root, ['src/a.py'])[0]?.[1];
    chmodSync(join(root, 'src/a.py'), 0o755);
    assert.notEqual(digestFiles(root, ['src/a.py'])[0]?.[1], before);
  });
});
