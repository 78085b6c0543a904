import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A suite and a test that both miss what they need, run by node's real test runner. */
const FIXTURE = `
import { describe, it } from 'node:test';
import { requiredSuite, skipRequired } from ${JSON.stringify(join(__dirname, 'required'))};
describe('needs python', { skip: requiredSuite('needs python', 'no /usr/bin/python3') }, () => {
  it('runs python', () => undefined);
});
it('needs sshd', (t) => skipRequired(t, 'no /usr/sbin/sshd'));
`;

function run(ci: string | undefined): { status: number | null; out: string } {
  const file = join(mkdtempSync(join(tmpdir(), 'dockconv-required-')), 'fixture.spec.ts');
  writeFileSync(file, FIXTURE);
  const env = { ...process.env };
  delete env['CI'];
  if (ci !== undefined) env['CI'] = ci;
  // A plain reporter: the parent runner's own reporter setting must not reach the child.
  delete env['NODE_TEST_CONTEXT'];
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', file], { env, encoding: 'utf8' });
  return { status: result.status, out: result.stdout + result.stderr };
}

describe('required suites', () => {
  it('skip, saying why, outside CI', () => {
    const { status, out } = run(undefined);
    assert.equal(status, 0, out);
    assert.match(out, /^ok \d+ - needs python # SKIP no \/usr\/bin\/python3$/m);
    assert.match(out, /^ok \d+ - needs sshd # SKIP no \/usr\/sbin\/sshd$/m);
    assert.match(out, /^# fail 0$/m);
  });
  it('fail under CI=true, saying what is missing', () => {
    const { status, out } = run('true');
    assert.equal(status, 1, out);
    assert.match(out, /needs python cannot run: no \/usr\/bin\/python3/);
    assert.match(out, /needs sshd cannot run \(required under CI\): no \/usr\/sbin\/sshd/);
    assert.match(out, /^# fail 2$/m);
  });
});
