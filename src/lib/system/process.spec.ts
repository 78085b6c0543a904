import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProcess, runProcessSync } from './process';

describe('runProcess', () => {
  it('captures output trimmed, with the exit code', async () => {
    const r = await runProcess('sh', ['-c', 'echo " out "; echo err >&2; exit 3']);
    assert.deepEqual(r, { exitCode: 3, stdout: 'out', stderr: 'err', canceled: false });
  });

  it('a missing program is exit 127 with one line, in both the async and the sync form', async () => {
    const r = await runProcess('dockconv-no-such-program', []);
    assert.equal(r.exitCode, 127);
    assert.equal(r.stderr, 'dockconv-no-such-program: command not found');
    const s = runProcessSync('dockconv-no-such-program', []);
    assert.equal(s.exitCode, 127);
    assert.equal(s.stderr, 'dockconv-no-such-program: command not found');
  });

  it('the sync form keeps a failing program\'s exit code and words', () => {
    const s = runProcessSync('sh', ['-c', 'echo half; echo why >&2; exit 4']);
    assert.deepEqual(s, { exitCode: 4, stdout: 'half', stderr: 'why', canceled: false });
  });

  it('streams with input, and keeps stdout for the caller', async () => {
    const r = await runProcess('sh', ['-c', 'cat; echo done'], { output: 'stream', input: 'from stdin\n', prefix: '[t] ', captureStderr: true });
    assert.equal(r.exitCode, 0);
    assert.equal(r.stdout, 'from stdin\ndone');
  });

  it('an abort cancels a streamed program: canceled, 130', async () => {
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 100);
    const r = await runProcess('sleep', ['30'], { output: 'stream', signal: abort.signal, killAfterMs: 500 });
    assert.equal(r.canceled, true);
    assert.notEqual(r.exitCode, 0);
  });

  it('a detached program runs to its end', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'dockconv-process-')), 'mark');
    // Unref'd, it keeps no event loop alive (it may outlive this process): the test's timer does.
    const alive = setInterval(() => undefined, 50);
    const r = await runProcess('sh', ['-c', `echo ran > ${file}`], { output: 'detached' }).finally(() => clearInterval(alive));
    assert.equal(r.exitCode, 0);
    assert.equal(readFileSync(file, 'utf8'), 'ran\n');
  });
});
