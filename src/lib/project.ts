/**
 * A project's docker/ tree (SPEC §2.1, §3): the image types it builds, the synthetic images it
 * runs and the configuration-only images it names, each with its image reference.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DockconvError, locatedIn } from './errors';
import { imageName, projectPrefix, type ImageName, type NamingLayers, type Sourced } from './naming';
import {
  classifySections,
  parseBoolean,
  readRunConfig,
  syntheticImages,
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
  /** For a synthetic image: the image type it runs. */
  runs?: string;
}

export interface DockerProject {
  name: string;
  root: string;
  rootAbs: string;
  runConfig: RunConfig;
  images: ImageDef[];
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
  const section = (name: string): ConfigSection | undefined => runConfig.doc.sections.get(name);
  const built = types.map((type) => defineImage(project, type, 'build', section(type), runConfig, naming));
  const configOnly = [...kinds]
    .filter(([, kind]) => kind === 'config-only')
    .map(([name]) => defineImage(project, name, 'config-only', section(name), runConfig, naming));
  const synthetic = syntheticImages(runConfig.doc).map(({ name, line }) =>
    defineSynthetic(project, name, line, [...built, ...configOnly], runConfig),
  );
  return { name: project.name, root: project.root, rootAbs, runConfig, images: [...built, ...configOnly, ...synthetic] };
}

function defineImage(
  project: { name: string; root: string },
  type: string,
  kind: ImageKind,
  section: ConfigSection | undefined,
  runConfig: RunConfig,
  naming: NamingOptions,
): ImageDef {
  // A configuration-only image names someone else's image (e.g. a public notebook image): its
  // run.cfg name and tag are the whole truth, and tag overrides meant for our images do not apply.
  const external = kind === 'config-only';
  // An image folder whose name makes no valid image name (`docker/Dev/`) is named in the error.
  const where = { file: kind === 'build' ? join(project.root, dockerfilePath(type)) : runConfig.file };
  const name = locatedIn(where, () => imageName({
    project: project.name,
    image: type,
    plugin: external ? undefined : naming.plugin,
    section: section && sectionNaming(section, runConfig.file ?? ''),
    env: external ? {} : naming.env,
    user: naming.user,
    options: external ? undefined : naming.overrides,
  }));
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

function sectionNaming(section: ConfigSection, file: string): NamingLayers['section'] {
  const sourced = (key: string): Sourced<string> | undefined => {
    const entry = section.entries.get(key);
    return entry && { value: entry.value, where: { file, line: entry.line } };
  };
  const prefix = section.entries.get('prefix');
  return {
    name: sourced('name'),
    tag: sourced('tag'),
    prefix: prefix && { value: parseBoolean(prefix, file), where: { file, line: prefix.line } },
  };
}

/** A synthetic image runs another image type under its own run configuration. */
function defineSynthetic(
  project: { name: string; root: string },
  type: string,
  line: number,
  runnable: ImageDef[],
  runConfig: RunConfig,
): ImageDef {
  const section = runConfig.doc.sections.get(type);
  const target = section?.entries.get('name');
  const runs = runnable.find((i) => i.type === target?.value);
  if (!section || !target || !runs) {
    throw new DockconvError(`synthetic image '${type}' must have a [${type}] section whose name is an image type of ${project.name}`, {
      file: runConfig.file,
      line: target?.line ?? section?.line ?? line,
      hint: `known image types: ${runnable.map((i) => i.type).join(', ') || 'none'}`,
    });
  }
  return { project: project.name, projectRoot: project.root, type, kind: 'synthetic', name: runs.name, section, runs: runs.type };
}

export function findImage(project: DockerProject, type: string): ImageDef {
  const image = project.images.find((i) => i.type === type);
  if (!image) {
    throw new DockconvError(`unknown image '${type}' in project ${project.name}`, {
      hint: `images: ${project.images.map((i) => i.type).join(', ') || 'none (no docker/<image>/Dockerfile)'}`,
    });
  }
  return image;
}

export function buildableImages(project: DockerProject): ImageDef[] {
  return project.images.filter((i) => i.kind === 'build');
}

/**
 * The automatic build args of SPEC §2.5 that do not need git: PROJECT, TAG, BASE_IMAGE.
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
