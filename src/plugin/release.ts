/**
 * What `nx release` needs from inference. Docker-only projects (no package.json version) get
 * version actions that need no manifest: the current version comes from git tags (Nx's own
 * resolver), the new one is recorded for the publish step. And where nx.json configures
 * `release.docker`, Nx core hands every released project that has a target with the `docker`
 * technology to @nx/docker's version step, which `docker tag`s an image named after the
 * project's path; ours have no such image, so there our targets name their technology
 * `dockconv` instead.
 */
import type { ProjectConfiguration, TargetConfiguration } from '@nx/devkit';
import { PLUGIN_NAME } from '../lib/model/conventions';
import { packageVersion } from '../lib/publish/release-version';

export const VERSION_ACTIONS = `${PLUGIN_NAME}/dist/release/version-actions`;

export interface ReleaseContext {
  /** nx.json has `release.docker`, at the root or in a group. */
  dockerRelease: boolean;
}

interface NxJsonRelease {
  release?: { docker?: unknown; groups?: Record<string, { docker?: unknown } | undefined> };
}

export function releaseContextOf(nxJson: unknown): ReleaseContext {
  const release = (nxJson as NxJsonRelease | undefined)?.release;
  const groups = Object.values(release?.groups ?? {});
  return { dockerRelease: release?.docker !== undefined || groups.some((g) => g?.docker !== undefined) };
}

/** Project-level release settings for a docker-only project; none for one with a package.json version. */
export function releaseConfig(projectRootAbs: string): ProjectConfiguration['release'] | undefined {
  if (packageVersion(projectRootAbs) !== undefined) return undefined;
  return {
    version: {
      versionActions: VERSION_ACTIONS,
      currentVersionResolver: 'git-tag',
      // No matching tag yet (a first release): the version actions answer from the last recorded release, else 0.0.0.
      fallbackCurrentVersionResolver: 'disk',
    },
  };
}


export function withTechnology(targets: Record<string, TargetConfiguration>, context: ReleaseContext): Record<string, TargetConfiguration> {
  if (!context.dockerRelease) return targets;
  return Object.fromEntries(
    Object.entries(targets).map(([name, target]) => [
      name,
      { ...target, metadata: { ...target.metadata, technologies: (target.metadata?.technologies ?? []).map((t) => (t === 'docker' ? 'dockconv' : t)) } },
    ]),
  );
}
