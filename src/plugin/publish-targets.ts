/**
 * The publish side of a project's targets: `publish-image` (a configuration per image) and
 * `nx-release-publish`, the target `nx release publish` runs in every released project.
 */
import type { TargetConfiguration } from '@nx/devkit';
import type { ImageNode } from '../lib/model/graph';
import type { DockerProject } from '../lib/model/project';
import { EXECUTORS } from '../lib/model/conventions';
import type { NormalizedPluginOptions } from './options';

/** The target name `nx release publish` looks for; Nx fixes it. */
export const RELEASE_PUBLISH_TARGET = 'nx-release-publish';

export function publishTargets(project: DockerProject, nodes: readonly ImageNode[], options: NormalizedPluginOptions): Record<string, TargetConfiguration> {
  const images = nodes.map((n) => n.image);
  const meta = { technologies: ['docker'] };
  return {
    [options.publishTargetName]: {
      executor: EXECUTORS.publish,
      options: {},
      configurations: Object.fromEntries(images.map((i) => [i.type, { image: i.type }])),
      // Pushing is a side effect on a registry: never replayed from a cache.
      cache: false,
      metadata: {
        ...meta,
        description: `Push images of ${project.name} to a registry under the version (builds first what is stale)`,
        help: { command: `nx run ${project.name}:${options.publishTargetName}:<image> --tag=<version>`, example: { options: { image: images[0]?.type, latest: true } } },
      },
    },
    [RELEASE_PUBLISH_TARGET]: {
      executor: EXECUTORS.publish,
      options: { release: true },
      // Projects whose images derive from others publish after them: each publish first makes
      // its images and their parents current, and two at once would rebuild a shared parent
      // under each other.
      dependsOn: [`^${RELEASE_PUBLISH_TARGET}`],
      cache: false,
      metadata: { ...meta, description: `Push the images of ${project.name} at the version nx release resolved (run by nx release publish)` },
    },
  };
}
