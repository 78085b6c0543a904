import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EXECUTORS } from '../model/conventions';
import { buildingTargets, type TargetShape } from './task-scope';

describe('targets that build images', () => {
  it('are the image builds and whatever reaches one through dependsOn, in any project', () => {
    const projects: { targets?: Record<string, TargetShape> }[] = [
      {
        targets: {
          'docker-build': { executor: EXECUTORS.build, dependsOn: [{ target: 'docker-build-base' }] },
          'docker-build-base': { executor: EXECUTORS.build },
          'docker-run': { executor: EXECUTORS.run },
        },
      },
      { targets: { deploy: { executor: 'nx:run-commands', dependsOn: ['^docker-build'] }, release: { dependsOn: [{ target: 'deploy' }] } } },
      { targets: { test: { executor: 'nx:run-commands', dependsOn: ['build'] }, build: { executor: '@nx/js:tsc' } } },
      {},
    ];
    assert.deepEqual(buildingTargets(projects), ['deploy', 'docker-build', 'docker-build-base', 'release']);
  });
});
