import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempTree } from '../../testing/temp-tree';
import { holdPipConf } from './pip-conf';

const TEMPLATE = '[global]\nindex-url = http://pypi.invalid/simple\n';

function withProject(body: (root: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const root = tempTree({ 'pip.conf.template': TEMPLATE });
    try {
      await body(root);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  };
}

describe('pip.conf from pip.conf.template', () => {
  it('is there while held and gone after the last holder leaves', withProject(async (root) => {
    const first = await holdPipConf(root);
    const second = await holdPipConf(root);
    assert.equal(readFileSync(join(root, 'pip.conf'), 'utf8'), TEMPLATE);
    first?.release();
    assert.equal(readFileSync(join(root, 'pip.conf'), 'utf8'), TEMPLATE, 'kept for the second holder');
    second?.release();
    second?.release();
    assert.deepEqual(readdirSync(root), ['pip.conf.template']);
  }));

  const owned: [string, (root: string) => void, (root: string) => void][] = [
    ['a regular file', (r) => writeFileSync(join(r, 'pip.conf'), 'mine\n'), (r) => assert.equal(readFileSync(join(r, 'pip.conf'), 'utf8'), 'mine\n')],
    ['a symlink', (r) => (writeFileSync(join(r, 'real.conf'), 'real\n'), symlinkSync('real.conf', join(r, 'pip.conf'))), (r) => assert.equal(readlinkSync(join(r, 'pip.conf')), 'real.conf')],
    ['a dangling symlink', (r) => symlinkSync('nowhere.conf', join(r, 'pip.conf')), (r) => assert.equal(readlinkSync(join(r, 'pip.conf')), 'nowhere.conf')],
    ['a directory', (r) => mkdirSync(join(r, 'pip.conf')), (r) => assert.ok(lstatSync(join(r, 'pip.conf')).isDirectory())],
  ];
  for (const [what, make, check] of owned) {
    it(`an existing pip.conf that is ${what} is left exactly as it is`, withProject(async (root) => {
      make(root);
      const hold = await holdPipConf(root);
      check(root);
      hold?.release();
      check(root);
    }));
  }

  it('a file the user put in place of the created one during the build is kept', withProject(async (root) => {
    const hold = await holdPipConf(root);
    unlinkSync(join(root, 'pip.conf'));
    writeFileSync(join(root, 'pip.conf'), 'mine\n');
    hold?.release();
    assert.equal(readFileSync(join(root, 'pip.conf'), 'utf8'), 'mine\n');
  }));

  it('concurrent builds in separate processes always see it while they hold it; the last one removes it', withProject(async (root) => {
    const script = `
      const { readFileSync } = require('node:fs');
      const { holdPipConf } = require(${JSON.stringify(join(__dirname, 'pip-conf.ts'))});
      (async () => {
        let bad = 0;
        for (let i = 0; i < 40; i++) {
          const hold = await holdPipConf(${JSON.stringify(root)});
          for (let k = 0; k < 3; k++) {
            try { if (readFileSync(${JSON.stringify(join(root, 'pip.conf'))}, 'utf8') !== ${JSON.stringify(TEMPLATE)}) bad++; } catch { bad++; }
            await new Promise((r) => setTimeout(r, Math.random() * 3));
          }
          hold.release();
        }
        process.stdout.write(String(bad));
      })();`;
    const runs = Array.from({ length: 4 }, () => new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`exit ${code}`))));
    }));
    assert.deepEqual(await Promise.all(runs), ['0', '0', '0', '0']);
    assert.deepEqual(readdirSync(root), ['pip.conf.template']);
  }));
});
