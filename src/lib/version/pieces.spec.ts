import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseDescribe, pickBranch, toIsoDate } from './pieces';

describe('parseDescribe (git describe --tags --dirty --always --long)', () => {
  const cases: [string, string, ReturnType<typeof parseDescribe>][] = [
    ['1.0-0-gabc1234', '', { closestTag: '1.0', distance: 0, short: 'abc1234', dirty: false }],
    ['v1.0-3-gabc1234-dirty', 'v', { closestTag: '1.0', distance: 3, short: 'abc1234', dirty: true }],
    ['2.0-rc-1-12-gdeadbeef', '', { closestTag: '2.0-rc-1', distance: 12, short: 'deadbeef', dirty: false }],
    ['abc1234', '', { closestTag: null, dirty: false }],
    ['abc1234-dirty', '', { closestTag: null, dirty: true }],
    ['vx1.0-1-gabc1234', 'v?', { error: "tag 'vx1.0' doesn't start with prefix 'v?'", dirty: false }],
    ['weird-output', '', { error: "unable to parse git-describe output: 'weird-output'", dirty: false }],
  ];
  for (const [out, prefix, expected] of cases) {
    it(`${out} (prefix '${prefix}')`, () => assert.deepEqual(parseDescribe(out, prefix), expected));
  }
});

describe('pickBranch (git branch --contains on a detached HEAD)', () => {
  it('drops the detached line and prefers master', () => {
    assert.equal(pickBranch('* (HEAD detached at 1.0)\n  feature\n  master'), 'master');
    assert.equal(pickBranch('* (HEAD detached at 1.0)\n  feature\n  other'), 'feature');
    assert.equal(pickBranch('* (HEAD detached from abc)'), null);
  });
});

describe('toIsoDate (%ci → ISO 8601)', () => {
  it('T between date and time, no space before the zone', () => {
    assert.equal(toIsoDate('2024-03-01 12:05:00 +0100'), '2024-03-01T12:05:00+0100');
  });
});
