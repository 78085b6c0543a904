/**
 * What the init and image generators share: finding the project, the Dockerfile templates and
 * their FROM lines, the base image scaffold and run.cfg editing. Both generators validate
 * everything before they write, and Nx flushes nothing when a generator throws, so a refused
 * generation leaves the workspace untouched.
 */
import { generateFiles, getProjects, OverwriteStrategy, readNxJson, type Tree } from '@nx/devkit';
import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { PLUGIN_NAME } from '../lib/model/conventions';
import { DockconvError, describeError } from '../lib/errors';
import { isValidRepository, isValidTag, parseReference, type RepositoryParts } from '../lib/model/naming';
import { BASE_IMAGE_TYPE, DOCKER_DIR, dockerfilePath } from '../lib/model/project';
import { appendSection, parseConfig, runConfigLocation, type ConfigDocument } from '../lib/model/run-config';
import { sectionFor, type SectionContent } from './sections';

/** Whether nx.json lists the plugin, as a name or as `{ plugin, options }`. */
export function isPluginRegistered(tree: Tree): boolean {
  const plugins = readNxJson(tree)?.plugins ?? [];
  return plugins.some((p) => (typeof p === 'string' ? p : p.plugin) === PLUGIN_NAME);
}

export const TEMPLATES = ['plain', 'dev', 'notebook', 'gpu', 'base'] as const;
export type Template = (typeof TEMPLATES)[number];

export const DEFAULT_BASE_IMAGE = 'python:3.12-slim';
/** A gpu base needs the CUDA user-space libraries; NVIDIA's runtime image is the usual start. */
export const DEFAULT_GPU_BASE_IMAGE = 'nvidia/cuda:12.4.1-runtime-ubuntu22.04';
/** The WORKDIR templates use; `{workdir}` in run.cfg follows whatever the Dockerfile ends up with. */
export const WORKDIR = '/app';

const FILES = join(__dirname, 'files');

/** Where an image's Dockerfile starts from. */
export type FromSpec =
  | { kind: 'external'; image: string }
  | { kind: 'base' }
  | { kind: 'image'; type: string; repository: RepositoryParts; tag?: string };

/** An external image reference (`python:3.12-slim`, `ghcr.io/org/img:1@sha256:…`) for a FROM line. */
export function assertExternalImage(ref: string): string {
  const { repository, tag } = parseReference(ref);
  const digest = ref.includes('@') ? ref.slice(ref.indexOf('@') + 1) : undefined;
  const valid = isValidRepository(repository) && isValidTag(tag) && (digest === undefined || /^[a-z0-9]+:[a-f0-9]{32,}$/.test(digest));
  if (!valid) {
    throw new DockconvError(`invalid base image '${ref}'`, { hint: 'an image reference such as python:3.12-slim or ghcr.io/org/image:tag' });
  }
  return ref;
}

export function isTemplate(value: string): value is Template {
  return (TEMPLATES as readonly string[]).includes(value);
}

/** Library errors become one line (`file:line: message (hint)`), which is what `nx g` prints. */
export function clearErrors<T>(body: () => T): T {
  try {
    return body();
  } catch (err) {
    if (err instanceof DockconvError) throw new Error(describeError(err));
    throw err;
  }
}

/** The project's root, or an error listing the projects there are. */
export function projectRoot(tree: Tree, project: string | undefined): string {
  const projects = getProjects(tree);
  const config = project ? projects.get(project) : undefined;
  if (!project || !config) {
    const known = [...projects.keys()].sort().join(', ') || 'none';
    throw new DockconvError(project ? `unknown project '${project}'` : 'no project given', { hint: `projects: ${known}` });
  }
  return config.root;
}

export function dockerfileOf(root: string, type: string): string {
  return posix.join(root, dockerfilePath(type));
}

/** The FROM block a template starts with; the comments say where the build args come from. */
export function renderFrom(from: FromSpec): string {
  if (from.kind === 'external') return `FROM ${from.image}`;
  if (from.kind === 'base') {
    return ['# docker-build passes BASE_IMAGE (this project\'s base image, your tag) and builds it first.', 'ARG BASE_IMAGE', 'FROM ${BASE_IMAGE}'].join('\n');
  }
  const args = [...(from.repository.prefixed ? ['PROJECT'] : []), ...(from.tag === undefined ? ['TAG'] : [])];
  const repository = from.repository.prefixed ? `\${PROJECT}-${from.repository.name}` : from.repository.name;
  const explained = args.length
    ? [`# docker-build passes ${args.join(' and ')} and builds docker/${from.type} first.`, ...args.map((a) => `ARG ${a}`)]
    : [`# docker-build builds docker/${from.type} first.`];
  return [...explained, `FROM ${repository}:${from.tag ?? '${TAG}'}`].join('\n');
}

export interface DockerfileSpec {
  root: string;
  project: string;
  name: string;
  template: Template;
  from: FromSpec;
}

/** Writes docker/<name>/Dockerfile from its template; an existing file is kept, never overwritten. */
export function writeDockerfile(tree: Tree, spec: DockerfileSpec): void {
  const target = posix.join(spec.root, DOCKER_DIR, spec.name);
  const substitutions = { from: renderFrom(spec.from), project: spec.project, name: spec.name, workdir: WORKDIR };
  generateFiles(tree, join(FILES, 'dockerfile', spec.template), target, substitutions, {
    overwriteStrategy: OverwriteStrategy.KeepExisting,
  });
}

/** docker/base/Dockerfile from the base template, unless the project has one. */
export function scaffoldBase(tree: Tree, root: string, project: string, baseImage: string): boolean {
  if (tree.exists(dockerfileOf(root, BASE_IMAGE_TYPE))) return false;
  const from: FromSpec = { kind: 'external', image: baseImage };
  writeDockerfile(tree, { root, project, name: BASE_IMAGE_TYPE, template: 'base', from });
  return true;
}

/** The project's .dockerignore, unless it has one. */
export function scaffoldDockerignore(tree: Tree, root: string): boolean {
  if (tree.exists(posix.join(root, '.dockerignore'))) return false;
  generateFiles(tree, join(FILES, 'project'), root, { dot: '.' }, { overwriteStrategy: OverwriteStrategy.KeepExisting });
  return true;
}

/** The run.cfg path to edit: the existing file under either name, else docker/run.cfg. */
export function runConfigPath(tree: Tree, root: string): string {
  return runConfigLocation(root, { exists: (path) => tree.exists(path), join: posix.join });
}

/** The parsed run.cfg of a project (empty when it has none); a malformed file is an error. */
export function readRunConfigDoc(tree: Tree, root: string): ConfigDocument {
  const path = runConfigPath(tree, root);
  return parseConfig(tree.read(path, 'utf-8') ?? '', path);
}

/** The run.cfg header comments a new file starts with (no substitutions, so read as is). */
function runConfigHeader(): string {
  return readFileSync(join(FILES, 'run-config', 'run.cfg.template'), 'utf8');
}

/**
 * Adds `[name]` to the project's run.cfg (created with its header when missing). The existing
 * text is kept byte for byte: appendSection only appends, and the template's explanatory comments
 * follow the section's keys, where ConfigParser skips them.
 */
export function addRunConfigSection(tree: Tree, root: string, project: string, name: string, template: Template): string {
  const path = runConfigPath(tree, root);
  const existing = tree.read(path, 'utf-8') ?? runConfigHeader();
  const content: SectionContent = sectionFor(template, project, name);
  let text: string;
  try {
    text = appendSection(existing, name, content.entries);
  } catch (err) {
    // appendSection names run.cfg generically; say which project file it was.
    if (err instanceof DockconvError) throw new DockconvError(err.message, { file: path, line: err.line, hint: err.hint });
    throw err;
  }
  const eol = existing.includes('\r\n') ? '\r\n' : '\n';
  tree.write(path, text + content.comments.map((line) => `# ${line}`.trimEnd() + eol).join(''));
  return path;
}
