import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { invocationOf, runMarks } from './run-marks';

describe('marks once per Nx invocation', () => {
  const root = mkdtempSync(join(tmpdir(), 'dockconv-marks-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  // This process stands for the nx process: its pid is one that exists, with a start time.
  const nxRun = { NX_INVOCATION_ANCESTOR_PIDS: `${process.pid},12345` };

  it('of the tasks of one invocation (each its own process), exactly one claims a key', () => {
    const tasks = [runMarks(nxRun, root), runMarks(nxRun, root), runMarks(nxRun, root)];
    assert.deepEqual(tasks.map((t) => t.claim('pull-only r:5000')), [true, false, false]);
    assert.ok(tasks.every((t) => t.has('pull-only r:5000')));
    assert.equal(tasks[1]?.has('push refused r:5000'), false);
    assert.equal(tasks[2]?.claim('push refused r:5000'), true);
  });

  it('another invocation claims again; outside Nx the process is the invocation', () => {
    assert.equal(runMarks({ NX_INVOCATION_ANCESTOR_PIDS: String(process.ppid) }, root).claim('pull-only r:5000'), true);
    const alone = runMarks({}, root);
    assert.equal(alone.has('k'), false);
    assert.deepEqual([alone.claim('k'), alone.claim('k')], [true, false]);
    assert.equal(runMarks({}, root).claim('k'), true);
  });

  it('names the invocation by the outermost nx pid and its start time', () => {
    assert.match(invocationOf(nxRun) ?? '', new RegExp(`^${process.pid}-\\d+$`));
    assert.equal(invocationOf({}), undefined);
    assert.equal(invocationOf({ NX_INVOCATION_ANCESTOR_PIDS: 'x' }), undefined);
  });
});
