import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempTree } from '../../testing/temp-tree';
import { loadWorkspaceImages } from '../model/workspace';
import { imageFingerprint } from './fingerprint';

const FILES = {
  'app/project.json': '{}',
  'app/src/data.txt': 'one\n',
  'app/notes.txt': 'not copied\n',
  'app/.dockerignore': 'src/*.tmp\n',
  'app/docker/base/Dockerfile': 'FROM scratch\nCOPY src/ /src/\n',
  'app/docker/ver/Dockerfile': 'FROM scratch\nARG VERSION\n',
};

describe('image fingerprints', () => {
  it('change with what the build reads, and only with it', () => {
    const root = tempTree(FILES);
    try {
      const print = (image = 'base', version = 'v1') => {
        const ws = loadWorkspaceImages(root, [{ name: 'app', root: 'app' }], { user: 'alice', env: {} });
        const node = ws.graph.get(`app:${image}`);
        const project = ws.projects.get('app');
        assert.ok(node && project);
        return imageFingerprint(node, project, () => version);
      };
      const first = print();
      assert.equal(print(), first, 'nothing changed');
      writeFileSync(join(root, 'app/notes.txt'), 'edited\n');
      writeFileSync(join(root, 'app/src/ignored.tmp'), 'ignored\n');
      assert.equal(print(), first, 'files the build does not copy');
      writeFileSync(join(root, 'app/src/data.txt'), 'two\n');
      const edited = print();
      assert.notEqual(edited, first, 'a copied file');
      utimesSync(join(root, 'app/src/data.txt'), new Date(), new Date(Date.now() + 5000));
      assert.notEqual(print(), edited, 'a touched file counts as changed: one run checks it');
      writeFileSync(join(root, 'app/docker/base/Dockerfile'), 'FROM scratch\nCOPY src/ /srv/\n');
      assert.notEqual(print(), edited, 'the Dockerfile');
      assert.equal(print('base', 'v1'), print('base', 'v2'), 'the version, where the image does not consume it');
      assert.notEqual(print('ver', 'v1'), print('ver', 'v2'), 'the version, where it does');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
