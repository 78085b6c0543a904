/**
 * Image references: `<project>-<image>:<tag>`, with every override in its rising
 * priority: plugin options, the image's run.cfg section, DOCKCONV_TAG, executor options.
 */
import { userInfo } from 'node:os';
import { DockconvError, type Location } from '../errors';

/** One path component of a repository, as Docker's reference grammar has it. */
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?$/;
const TAG = /^[\w][\w.-]{0,127}$/;

/** `@scope/Name_x` → `scope-name_x`: a valid repository component made from any Nx project name. */
export function sanitizeComponent(name: string): string {
  const cleaned = name
    .toLowerCase()
    .replace(/^@/, '')
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/[._-]*-[._-]*/g, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/_{3,}/g, '__')
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
  return cleaned || 'x';
}

/** A user name made a valid tag: invalid characters become `-`, a leading `.`/`-` is dropped. */
export function sanitizeTag(tag: string): string {
  const cleaned = tag.replace(/[^\w.-]+/g, '-').replace(/^[.-]+/, '').slice(0, 128);
  return cleaned || 'latest';
}

export function isValidTag(tag: string): boolean {
  return TAG.test(tag);
}

/** A repository: optional registry host, then `/`-separated components (`ghcr.io/org/app`). */
export function isValidRepository(repository: string): boolean {
  if (repository.length > 255) return false;
  const parts = repository.split('/');
  const first = parts[0] ?? '';
  const hasDomain = parts.length > 1 && looksLikeHost(first);
  if (hasDomain && !DOMAIN.test(first)) return false;
  return parts.slice(hasDomain ? 1 : 0).every((p) => COMPONENT.test(p));
}

export function assertValidTag(tag: string, where: Location = {}): string {
  if (!isValidTag(tag)) {
    throw new DockconvError(`invalid image tag '${tag}'`, {
      ...where,
      hint: 'a tag is up to 128 letters, digits, _, . and -, not starting with . or -',
    });
  }
  return tag;
}

export function assertValidRepository(repository: string, where: Location = {}): string {
  if (!isValidRepository(repository)) {
    throw new DockconvError(`invalid image name '${repository}'`, {
      ...where,
      hint: 'lower-case letters, digits and separators (. _ __ -), components joined by /',
    });
  }
  return repository;
}

/** The current user, as the default tag is made from it. */
export function currentUser(env: NodeJS.ProcessEnv = process.env): string {
  try {
    return userInfo().username;
  } catch {
    return env['USER'] ?? env['USERNAME'] ?? 'user';
  }
}

/** A configured value and where it came from, so that errors can point at it. */
export interface Sourced<T> {
  value: T;
  where?: Location;
}

export interface NamingLayers {
  /** Nx project name (any form; sanitised here). */
  project: string;
  /** Image type: the docker/<image>/ folder name. */
  image: string;
  plugin?: { tag?: string; prefix?: boolean };
  section?: { name?: Sourced<string>; tag?: Sourced<string>; prefix?: Sourced<boolean> };
  env?: NodeJS.ProcessEnv;
  options?: { name?: string; tag?: string };
  user?: string;
}

export interface ImageName {
  repository: string;
  tag: string;
  /** `repository:tag` */
  ref: string;
}

/** The `<project>` part images of a project share; it is also the `PROJECT` build arg. */
export function projectPrefix(project: string): string {
  return sanitizeComponent(project);
}

export function imageName(layers: NamingLayers): ImageName {
  const repository = resolveRepository(layers);
  const tag = resolveTag(layers);
  return { repository, tag, ref: `${repository}:${tag}` };
}

/** A repository as the layers below `--name` spell it: `<project>-<name>` when prefixed, else `<name>`. */
export interface RepositoryParts {
  prefixed: boolean;
  name: string;
}

/** Which layer decides the prefix and the name: run.cfg over the plugin options over the defaults. */
export function repositoryParts({ image, plugin, section }: Pick<NamingLayers, 'image' | 'plugin' | 'section'>): RepositoryParts {
  return { prefixed: section?.prefix?.value ?? plugin?.prefix ?? true, name: section?.name?.value ?? image };
}

function resolveRepository(layers: NamingLayers): string {
  const { project, section, options } = layers;
  if (options?.name) return assertValidRepository(options.name);
  const { prefixed, name } = repositoryParts(layers);
  const repository = prefixed ? `${projectPrefix(project)}-${name}` : name;
  return assertValidRepository(repository, section?.name?.where ?? section?.prefix?.where);
}

function resolveTag({ plugin, section, env = process.env, options, user }: NamingLayers): string {
  if (options?.tag) return assertValidTag(options.tag);
  const fromEnv = env['DOCKCONV_TAG'];
  if (fromEnv) return assertValidTag(fromEnv, { file: '$DOCKCONV_TAG' });
  if (section?.tag) return assertValidTag(section.tag.value, section.tag.where);
  if (plugin?.tag) return assertValidTag(plugin.tag, { file: 'nx.json' });
  return sanitizeTag(user ?? currentUser(env));
}

/** Splits `repo[:tag][@digest]` into repository and tag; the tag defaults to `latest` as Docker's does. */
export function parseReference(ref: string): { repository: string; tag: string } {
  const withoutDigest = ref.split('@')[0] ?? ref;
  const slash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  if (colon > slash) return { repository: withoutDigest.slice(0, colon), tag: withoutDigest.slice(colon + 1) };
  return { repository: withoutDigest, tag: 'latest' };
}

/** A suffixed repository for side images, e.g. the builder stage `<name>-builder:<tag>`. */
export function withSuffix(name: ImageName, suffix: string): ImageName {
  const repository = `${name.repository}-${suffix}`;
  return { repository, tag: name.tag, ref: `${repository}:${name.tag}` };
}

/** Accepts what people paste (`https://host:5000/`, `host:5000/ns`), returns `host[:port][/ns]`. */
export function normaliseRegistry(value: string, where: Location = {}): string | undefined {
  const trimmed = value.trim().replace(/^[a-z]+:\/\//i, '').replace(/\/+$/, '');
  if (trimmed === '' || trimmed.toLowerCase() === 'none') return undefined;
  const [host = '', ...path] = trimmed.split('/');
  const probe = path.length ? `${host}/${path.join('/')}/x` : `${host}/x`;
  if (!looksLikeHost(host) || !isValidRepository(probe)) {
    throw new DockconvError(`invalid registry '${value}'`, {
      ...where,
      hint: 'a host with an optional port and namespace, e.g. ghcr.io/acme or 127.0.0.1:5000',
    });
  }
  return trimmed;
}

/** Docker reads the first path part as a registry host only when it has a dot, a port or is localhost. */
export function looksLikeHost(host: string): boolean {
  return host.includes('.') || host.includes(':') || host === 'localhost';
}
