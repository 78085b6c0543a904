/**
 * Publishing a project's images: which version, which images, which references; then (after the
 * build library made the images current) tag and push. The executor and the nx release
 * target are doors to this.
 */
import { stampVersion } from '../image-build/version-stamp';
import { DockconvError } from '../errors';
import { buildableImages, findImage, type DockerProject } from '../project';
import { assertDistinctTargets, planImagePublish, publishTags, resolveRegistry, resolveRepository, type ImagePublishPlan } from './plan';
import { releaseVersionOf, type ReleaseSources } from './release-version';

export { pushPlan, type PushedRef, type PushSettings } from './push';
export { releaseRecordPath, renderReleaseRecord } from './release-version';

export interface PublishChoices {
  /** One image type; else every image the project builds. */
  image?: string;
  registry?: string;
  repository?: string;
  pluginRegistry?: string;
  version: string;
  latest?: boolean;
  extraTags?: readonly string[];
}

export interface ProjectPublishPlan {
  plans: ImagePublishPlan[];
  notes: string[];
}

export function planProjectPublish(project: DockerProject, choices: PublishChoices): ProjectPublishPlan {
  const images = choices.image === undefined ? buildableImages(project) : [findImage(project, choices.image)];
  const notBuilt = images.find((i) => i.kind !== 'build');
  if (notBuilt) throw new DockconvError(`${notBuilt.type} is a ${notBuilt.kind} image of ${project.name}: only images built here (docker/<image>/Dockerfile) are published`);
  if (images.length === 0) throw new DockconvError(`${project.name} builds no images (no docker/<image>/Dockerfile)`);
  if (choices.repository !== undefined && images.length > 1) {
    throw new DockconvError('--repository needs --image: it names one image', { hint: `images: ${images.map((i) => i.type).join(', ')}` });
  }
  const { tags, versionTagNote } = publishTags({ version: choices.version, latest: choices.latest ?? false, extra: choices.extraTags ?? [] });
  const file = project.runConfig.file;
  const fromDefaults = project.runConfig.doc.defaultEntry?.('registry');
  const plans = images.map((image) => {
    const registry = resolveRegistry({
      ...(choices.registry !== undefined ? { option: choices.registry } : {}),
      ...(image.section?.entries.get('registry') ? { section: image.section.entries.get('registry') } : {}),
      ...(fromDefaults ? { defaults: fromDefaults } : {}),
      ...(choices.pluginRegistry !== undefined ? { plugin: choices.pluginRegistry } : {}),
      ...(file ? { file } : {}),
    });
    const repository = resolveRepository(image, choices.repository, file);
    return planImagePublish(image, { ...(registry ? { registry } : {}), repository }, tags);
  });
  assertDistinctTargets(plans);
  return { plans, notes: versionTagNote ? [versionTagNote] : [] };
}

export type VersionChoice = { version: string; from: string } | { skip: string };

/**
 * Under nx release: the release's version. Run on its own: `--tag` if given, else the version
 * git gives the project (versioneer's when configured, else `git describe`).
 */
export async function publishVersion(opts: { release: boolean; tag?: string; sources: ReleaseSources; projectRootAbs: string }): Promise<VersionChoice> {
  if (opts.release) return releaseVersionOf(opts.sources);
  if (opts.tag !== undefined) return { version: opts.tag, from: '--tag' };
  const { version } = await stampVersion(opts.projectRootAbs, { write: false });
  if (!version) throw new DockconvError(`git gives ${opts.sources.project} no version (no commit yet?)`, { hint: 'commit first, or name the tag with --tag' });
  return { version, from: 'git' };
}
