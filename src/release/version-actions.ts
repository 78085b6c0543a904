/**
 * `nx release` version actions for projects whose only artefacts are images: no manifest holds
 * their version. The current version comes from git tags (Nx's `git-tag` resolver, set with
 * these actions by inference); with no matching tag yet, the last version `nx release version`
 * recorded here, else 0.0.0. A new version is recorded for `nx release publish`, through Nx's
 * tree so a dry run writes nothing.
 */
import type { ProjectGraph, Tree } from '@nx/devkit';
import { VersionActions } from 'nx/release';
import { parseReleaseRecord, releaseRecordPath, renderReleaseRecord } from '../lib/publish/release-version';

export default class DockerImageVersionActions extends VersionActions {
  validManifestFilenames: string[] | null = null;

  override async readCurrentVersionFromSourceManifest(tree: Tree): Promise<{ currentVersion: string; manifestPath: string } | null> {
    const path = releaseRecordPath(this.projectGraphNode.data.root);
    const text = tree.read(path, 'utf-8');
    if (text) return { currentVersion: parseReleaseRecord(text, path).version, manifestPath: path };
    return { currentVersion: '0.0.0', manifestPath: `${path} (none yet: first release)` };
  }

  override async readCurrentVersionFromRegistry(): Promise<{ currentVersion: string | null; logText: string } | null> {
    // Tags in a registry are not ordered releases; git tags are the record.
    return null;
  }

  override async readCurrentVersionOfDependency(): Promise<{ currentVersion: string | null; dependencyCollection: string | null }> {
    // An image names its parent by reference in a Dockerfile, not by a version range to bump.
    return { currentVersion: null, dependencyCollection: null };
  }

  override async updateProjectVersion(tree: Tree, newVersion: string): Promise<string[]> {
    const path = releaseRecordPath(this.projectGraphNode.data.root);
    tree.write(path, renderReleaseRecord(newVersion));
    return [`✍️  New version ${newVersion} recorded for publishing the images in ${path}`];
  }

  override async updateProjectDependencies(_tree: Tree, _graph: ProjectGraph): Promise<string[]> {
    return [];
  }
}
