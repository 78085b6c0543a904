/**
 * Publishing a project's images: which version, which images, which references (every error
 * about names and registries comes before anything is built); then the build of what is missing
 * or stale, then tag and push with every command printed. The executor, the nx release target
 * and the publish-image command are doors to this.
 */
import { stampVersion } from '../version/stamp';
import { DockconvError } from '../errors';
import type { Provenance } from './provenance';
import { buildableImages, findImage, type DockerProject, type ImageDef } from '../model/project';
import { assertDistinctTargets, planImagePublish, publishTags, resolveRegistry, resolveRepository, type ImagePublishPlan } from './plan';
import { pushPlan } from './push';
import { releaseVersionOf, type ProjectVersionData, type ReleaseSources } from './release-version';

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

export interface PublishRequest extends Omit<PublishChoices, 'version'> {
  /** Publish the version nx release resolved; else `tag`, else what git says. */
  release?: boolean;
  /** Run on its own: the tag instead of the version. Under nx release: one more tag beside it. */
  tag?: string;
  versionData?: Record<string, ProjectVersionData | undefined>;
}

export interface PublishHost {
  workspaceRoot: string;
  dryRun: boolean;
  env: NodeJS.ProcessEnv;
  /** Where the docker commands are printed. */
  print: (line: string) => void;
  /** Where what was decided and pushed is told. */
  log: (line: string) => void;
  /**
   * Builds the requested image (all when undefined) and what it derives from, when missing or
   * stale; unless `trustShared`, also every image at its reference that this machine did not build.
   */
  build: (image: string | undefined) => Promise<boolean>;
  /** Accept images this machine did not build (pulled from the shared registry, say). */
  trustShared: boolean;
  /** Which of the image and its workspace parents this machine built. */
  provenance: (image: ImageDef) => Promise<Provenance>;
}

/**
 * What makes an image fit to publish, told before it is pushed. An inputs label proves nothing
 * (whoever pushed the image wrote it); that this engine's own `docker build` produced the image
 * ID, and the IDs of everything it derives from, depends on no other machine.
 */
async function vouch(plan: ImagePublishPlan, host: PublishHost): Promise<string> {
  const { ref, id, notBuiltHere } = await host.provenance(plan.image);
  const at = `${ref} (${id.slice(0, 19)})`;
  if (notBuiltHere.length === 0) return `${at}: built on this machine, as was every workspace image it derives from`;
  const which = notBuiltHere.length === 1 && notBuiltHere[0] === ref ? 'it was' : `${notBuiltHere.join(', ')} ${notBuiltHere.length === 1 ? 'was' : 'were'}`;
  if (host.trustShared) return `${at}: ${which} not built on this machine (pulled from the shared registry or built elsewhere); published as it is because of trustShared`;
  throw new DockconvError(`refusing to publish ${at}: ${which} not built on this machine`, { hint: 'publish from a machine that builds its images, or trust them with --trustShared' });
}

/** True when everything asked for was pushed (or there was nothing to publish). */
export async function publishProject(project: DockerProject, req: PublishRequest, host: PublishHost): Promise<boolean> {
  const release = req.release === true;
  const version = await publishVersion({
    release,
    ...(req.tag !== undefined ? { tag: req.tag } : {}),
    projectRootAbs: project.rootAbs,
    sources: {
      project: project.name,
      projectRoot: project.root,
      workspaceRoot: host.workspaceRoot,
      ...(req.versionData ? { versionData: req.versionData } : {}),
    },
  });
  if ('skip' in version) {
    host.log(`${version.skip}: nothing to publish`);
    return true;
  }
  const { plans, notes } = planProjectPublish(project, {
    ...(req.image !== undefined ? { image: req.image } : {}),
    ...(req.registry !== undefined ? { registry: req.registry } : {}),
    ...(req.repository !== undefined ? { repository: req.repository } : {}),
    ...(req.pluginRegistry !== undefined ? { pluginRegistry: req.pluginRegistry } : {}),
    version: version.version,
    latest: req.latest === true,
    // Under nx release, --tag is npm's dist-tag: a moving tag beside the version.
    extraTags: [...(release && req.tag !== undefined ? [req.tag] : []), ...(req.extraTags ?? [])],
  });
  for (const note of notes) host.log(note);
  host.log(`publishing ${project.name} ${version.version} (from ${version.from}): ${plans.flatMap((p) => p.targets).join(', ')}`);
  // Builds what is missing or stale (and what it derives from), so only current images are pushed.
  if (!(await host.build(req.image))) return false;
  if (!host.dryRun) for (const plan of plans) host.log(await vouch(plan, host));
  for (const plan of plans) {
    const pushed = await pushPlan(plan, { dryRun: host.dryRun, env: host.env, cwd: host.workspaceRoot, print: host.print });
    if (!host.dryRun) for (const p of pushed) host.log(`pushed ${p.ref}${p.digest ? ` (${p.digest})` : ''}`);
  }
  if (host.dryRun) host.log('dry run: nothing was built, tagged or pushed');
  return true;
}
