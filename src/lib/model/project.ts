/**
 * A project's docker/ tree: the image types it builds, the synthetic images it
 * runs and the configuration-only images it names, each with its image reference.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DockconvError, locatedIn } from '../errors';
import { assertValidRepository, imageName, projectPrefix, type ImageName, type NamingLayers, type Sourced } from './naming';
import {
  classifySections,
  readPrefix,
  readRunConfig,
  syntheticImages,
  type ConfigEntry,
  type ConfigSection,
  type RunConfig,
} from './run-config';

export const DOCKER_DIR = 'docker';
export const BASE_IMAGE_TYPE = 'base';

export type ImageKind = 'build' | 'synthetic' | 'config-only';

export interface ImageDef {
  project: string;
  /** Project root relative to the workspace root. */
  projectRoot: string;
  /** The image type: a docker/<type>/ folder, or a run.cfg section for run-only images. */
  type: string;
  kind: ImageKind;
  name: ImageName;
  section?: ConfigSection;
  /** Dockerfile path relative to the project root (built images only). */
  dockerfile?: string;
  /** For a synthetic image: the image type whose build makes the image it runs. */
  runs?: string;
  /** For an image type also listed in synthetic_images: the synthetic image running it runs. */
  runAs?: ImageDef;
}

export interface DockerProject {
  name: string;
  root: string;
  rootAbs: string;
  runConfig: RunConfig;
  images: ImageDef[];
  /** Images whose section could not be read, and why; the project's other images still work. */
  broken: Map<string, DockconvError>;
}

/** Options that shape image names, from nx.json plugin options and the executor. */
export interface NamingOptions {
  plugin?: NamingLayers['plugin'];
  env?: NodeJS.ProcessEnv;
  user?: string;
  overrides?: { tag?: string; name?: string };
}

/** Image types: folders under docker/ that hold a Dockerfile, sorted by name. */
export function listImageTypes(projectRootAbs: string): string[] {
  const dir = join(projectRootAbs, DOCKER_DIR);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'Dockerfile')))
    .map((d) => d.name)
    .sort();
}

export function dockerfilePath(type: string): string {
  return `${DOCKER_DIR}/${type}/Dockerfile`;
}

export function readDockerProject(workspaceRoot: string, project: { name: string; root: string }, naming: NamingOptions = {}): DockerProject {
  const rootAbs = join(workspaceRoot, project.root);
  const types = listImageTypes(rootAbs);
  const runConfig = readRunConfig(rootAbs, types);
  const kinds = classifySections(runConfig.doc, types);
  const synthetic = syntheticImages(runConfig.doc);
  const syntheticNames = new Set(synthetic.map((s) => s.name));
  const reader = new ImageReader(project, runConfig, naming);
  // A type that is also a synthetic image is named by its synthetic section when run; built, it
  // keeps its own name, so that e.g. `[dev] name = base` cannot make docker/dev/ overwrite the base.
  const built = types.flatMap((type) => reader.define(type, 'build', !syntheticNames.has(type)));
  const configOnly = [...kinds].filter(([, kind]) => kind === 'config-only').flatMap(([name]) => reader.define(name, 'config-only', true));
  const runOnly: ImageDef[] = [];
  for (const { name, line } of synthetic) {
    const [def] = reader.define(name, 'synthetic', true, [...built, ...configOnly], line);
    const image = built.find((i) => i.type === name);
    if (def && image) image.runAs = def;
    else if (def) runOnly.push(def);
  }
  return {
    name: project.name,
    root: project.root,
    rootAbs,
    runConfig,
    images: [...built, ...configOnly, ...runOnly],
    broken: reader.broken,
  };
}

/**
 * Defines images one section at a time: a section that cannot be read (an invalid name or tag)
 * leaves that image out with a warning, and using it reports why; the other images still work.
 */
class ImageReader {
  readonly broken = new Map<string, DockconvError>();

  constructor(
    private readonly project: { name: string; root: string },
    private readonly runConfig: RunConfig,
    private readonly naming: NamingOptions,
  ) {}

  /** `listedAt`: the line that names a synthetic image, where what it lacks is reported. */
  define(type: string, kind: ImageKind, namedBySection: boolean, runnable: ImageDef[] = [], listedAt?: number): ImageDef[] {
    try {
      const section = this.runConfig.doc.sections.get(type);
      if (kind === 'synthetic') return [defineSynthetic(this.project, type, section, runnable, this.runConfig, this.naming, listedAt)];
      return [defineImage(this.project, type, kind, section, namedBySection, this.runConfig, this.naming)];
    } catch (err) {
      if (!(err instanceof DockconvError)) throw err;
      this.broken.set(type, err);
      this.runConfig.warnings.push({ file: err.file, line: err.line, message: `image '${type}' is left out: ${err.message}` });
      return [];
    }
  }
}

function defineImage(
  project: { name: string; root: string },
  type: string,
  kind: ImageKind,
  section: ConfigSection | undefined,
  namedBySection: boolean,
  runConfig: RunConfig,
  naming: NamingOptions,
): ImageDef {
  // A configuration-only image names someone else's image (e.g. a public notebook image): its
  // run.cfg name and tag are the whole truth, and tag overrides meant for our images do not apply.
  // An image folder whose name makes no valid image name (`docker/Dev/`) is named in the error.
  const where = { file: kind === 'build' ? join(project.root, dockerfilePath(type)) : runConfig.file };
  const name = locatedIn(where, () => nameOf(project, type, namedBySection ? section : undefined, kind === 'config-only', runConfig, naming));
  return {
    project: project.name,
    projectRoot: project.root,
    type,
    kind,
    name,
    ...(section ? { section } : {}),
    ...(kind === 'build' ? { dockerfile: dockerfilePath(type) } : {}),
  };
}

function nameOf(
  project: { name: string },
  type: string,
  section: ConfigSection | undefined,
  external: boolean,
  runConfig: RunConfig,
  naming: NamingOptions,
): ImageName {
  return imageName({
    project: project.name,
    image: type,
    plugin: external ? undefined : naming.plugin,
    section: section && sectionNaming(section, runConfig.file ?? ''),
    env: external ? {} : naming.env,
    user: naming.user,
    options: external ? undefined : naming.overrides,
  });
}

/** The naming layer an image's run.cfg section gives: its `name`, `tag` and `prefix`, with where each is. */
export function sectionNaming(section: ConfigSection, file: string): NamingLayers['section'] {
  const sourced = (key: string): Sourced<string> | undefined => {
    const entry = section.entries.get(key);
    return entry && { value: entry.value, where: { file, line: entry.line } };
  };
  const prefix = section.entries.get('prefix');
  return {
    name: sourced('name'),
    tag: sourced('tag'),
    prefix: prefix && { value: readPrefix(prefix, file).value, where: { file, line: prefix.line } },
  };
}

/**
 * A synthetic image is named from its own section exactly as dockerutils named it:
 * `<project>-<name>:<tag>`, `name` defaulting to the synthetic image's own name and `tag` to the
 * usual tag; `prefix = false` makes `name` a reference of its own (an image not built here). A
 * `name` that is a configuration-only image of the project runs that image. It `runs` the image
 * type whose build gives exactly its reference, which is what `--build` then builds.
 */
function defineSynthetic(
  project: { name: string; root: string },
  type: string,
  section: ConfigSection | undefined,
  runnable: ImageDef[],
  runConfig: RunConfig,
  naming: NamingOptions,
  listedAt?: number,
): ImageDef {
  const file = runConfig.file ?? '';
  const target = section?.entries.get('name')?.value;
  const prefix = section?.entries.get('prefix');
  const external = prefix !== undefined && !readPrefix(prefix, file).value;
  const configOnly = runnable.find((i) => i.kind === 'config-only' && i.type === target);
  const ownTag = section?.entries.has('tag') === true;
  const name = configOnly && !external && !ownTag ? configOnly.name : nameOf(project, type, section, external, runConfig, naming);
  const runs = runnable.find((i) => i.kind === 'build' && i.name.ref === name.ref);
  if (!section) {
    const built = runs ? `docker/${runs.type}/ builds it` : 'no docker/<image>/ of the project builds it';
    runConfig.warnings.push({ file, line: listedAt, message: `synthetic image '${type}' has no [${type}] section: it runs ${name.ref} (${built})` });
  }
  return {
    project: project.name,
    projectRoot: project.root,
    type,
    kind: 'synthetic',
    name,
    ...(section ? { section } : {}),
    ...(runs ? { runs: runs.type } : {}),
  };
}

export function findImage(project: DockerProject, type: string): ImageDef {
  const image = project.images.find((i) => i.type === type);
  const broken = project.broken.get(type);
  if (!image && broken) {
    throw new DockconvError(`image '${type}' of ${project.name} cannot be used: ${broken.message}`, {
      file: broken.file,
      line: broken.line,
      ...(broken.hint ? { hint: broken.hint } : {}),
    });
  }
  if (!image) {
    throw new DockconvError(`unknown image '${type}' in project ${project.name}`, {
      hint: `images: ${project.images.map((i) => i.type).join(', ') || 'none (no docker/<image>/Dockerfile)'}`,
    });
  }
  return image;
}

/**
 * `--name` renames the one image a build is about: the requested `image`, else the task's own
 * `imageType`. A per-image task for another image than the requested one keeps its name.
 */
export function applyNameOption(project: DockerProject, name: string | undefined, about: { image?: string; imageType?: string }): void {
  if (name === undefined) return;
  const type = about.image ?? about.imageType;
  if (!type) throw new DockconvError('--name needs --image: it names one image');
  if (about.imageType && about.image && about.imageType !== about.image) return;
  renameImage(project, type, name, '--name');
}

/** The image is built and found under this repository name instead of `<project>-<image>`; `option` names where it was given. */
export function renameImage(project: DockerProject, type: string, repositoryName: string, option: string): void {
  const image = findImage(project, type);
  const repository = assertValidRepository(repositoryName, { file: option });
  image.name = { repository, tag: image.name.tag, ref: `${repository}:${image.name.tag}` };
}

/** What running `type` runs: its synthetic definition when the type is also a synthetic image. */
export function findRunnableImage(project: DockerProject, type: string): ImageDef {
  const image = findImage(project, type);
  return image.runAs ?? image;
}

/** Whether a build of this project makes the image (else `docker run` finds or pulls it). */
/**
 * A build key of `secrets`, `ssh` or `platforms` kind: the image's section's (its own, else the
 * [DEFAULT] one it inherits), or with no section at all the [DEFAULT] entry, so a project-wide
 * default reaches every image. (Older build keys such as `build_args` apply only through a
 * section, as dockerutils read them.)
 */
export function projectWideBuildKey(project: DockerProject, image: ImageDef, key: 'secrets' | 'ssh' | 'platforms'): ConfigEntry | undefined {
  return image.section ? image.section.entries.get(key) : project.runConfig.doc.defaultEntry?.(key);
}

export function isBuiltHere(image: ImageDef): boolean {
  return image.kind === 'build' || image.runs !== undefined;
}

export function buildableImages(project: DockerProject): ImageDef[] {
  return project.images.filter((i) => i.kind === 'build');
}

/**
 * The automatic build args that do not need git: PROJECT, TAG, BASE_IMAGE.
 * VERSION and GIT_COMMIT are added by the build, which asks git.
 */
export function namingBuildArgs(project: DockerProject, image: ImageDef): Record<string, string> {
  const base = project.images.find((i) => i.type === BASE_IMAGE_TYPE && i.kind === 'build');
  return {
    PROJECT: projectPrefix(project.name),
    TAG: image.name.tag,
    ...(base ? { BASE_IMAGE: base.name.ref } : {}),
  };
}
