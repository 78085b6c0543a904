import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseTargetArgs } from './shared';

describe('the target an nx command line names', () => {
  const cases: [string[], ReturnType<typeof parseTargetArgs>][] = [
    [['run', 'shop:docker-build:dve', '--output-style=static'], { project: 'shop', target: 'docker-build', configuration: 'dve' }],
    [['shop:docker-run:dve'], { project: 'shop', target: 'docker-run', configuration: 'dve' }],
    [['run', 'shop:docker-build', '-c', 'dve'], { project: 'shop', target: 'docker-build', configuration: 'dve' }],
    [['run', 'shop:docker-build', '--configuration=dve'], { project: 'shop', target: 'docker-build', configuration: 'dve' }],
    [['run', 'shop:docker-build', '--image=dev'], { project: 'shop', target: 'docker-build' }],
    [['run-many', '-t', 'docker-build', '-c', 'production'], undefined],
    [['show', 'projects'], undefined],
  ];
  for (const [args, expected] of cases) {
    it(args.join(' '), () => assert.deepEqual(parseTargetArgs(args), expected));
  }
});
