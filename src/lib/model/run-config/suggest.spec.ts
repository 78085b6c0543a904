import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { closestKey } from './suggest';

describe('closestKey', () => {
  const known = ['volumes', 'environment', 'network_docked', 'gpu', 'cmd', 'args'];
  for (const [key, expected] of [
    ['volume', 'volumes'],
    ['Volumes', 'volumes'],
    ['enviroment', 'environment'],
    ['network_docker', 'network_docked'],
    ['gpus', 'gpu'],
    ['cmds', 'cmd'],
    ['xyz', undefined],
    ['completely_else', undefined],
  ] as const) {
    it(`${key} → ${expected}`, () => assert.equal(closestKey(key, known), expected));
  }
});
