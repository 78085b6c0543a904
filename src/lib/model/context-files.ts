/**
 * The context files a build really reads: what the Dockerfile's COPY/ADD sources match in the
 * project root, minus what `.dockerignore` excludes (Docker's own rules, @balena/dockerignore).
 * Their digests are an input of the build; files the build never sees are not.
 */
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import dockerignore from '@balena/dockerignore';

export type Ignore = ReturnType<typeof dockerignore>;

export function readDockerignore(projectRootAbs: string): { text: string; ignore: Ignore } {
  let text = '';
  try {
    text = readFileSync(join(projectRootAbs, '.dockerignore'), 'utf8');
  } catch {
    // No .dockerignore: the whole context is sent.
  }
  return { text, ignore: dockerignore().add(text) };
}

/**
 * A COPY source as a list of path segments; a source with a variable is taken as the whole
 * context, since which files it names is only known to the builder.
 */
export function sourceSegments(source: string): string[] {
  if (source.includes('$')) return [];
  return source
    .split('/')
    .filter((s) => s !== '' && s !== '.');
}

/** Go's filepath.Match (what COPY uses) as a RegExp for one segment. */
export function segmentPattern(segment: string): RegExp | undefined {
  if (!/[*?[\\]/.test(segment)) return undefined;
  let re = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i] ?? '';
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '\\') re += escapeRe(segment[++i] ?? '');
    else if (c === '[') {
      const end = segment.indexOf(']', i + 1);
      if (end < 0) return new RegExp('(?!)');
      re += `[${segment.slice(i + 1, end).replace(/^\^/, '^').replace(/\\/g, '\\\\')}]`;
      i = end;
    } else re += escapeRe(c);
  }
  return new RegExp(`^${re}$`);
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/**
 * Relative posix paths of the files (and symlinks) the sources name, after .dockerignore, sorted.
 * `virtual` files count as present in the project root (pip.conf while only its template exists).
 */
export function contextFiles(projectRootAbs: string, sources: readonly string[], ignore: Ignore, virtual: readonly string[] = []): string[] {
  const tree = { root: projectRootAbs, virtual };
  const found = new Set<string>();
  for (const source of sources) {
    for (const match of expandSource(tree, sourceSegments(source))) walk(tree, match, found);
  }
  return [...found].filter((p) => !ignore.ignores(p)).sort();
}

interface Tree {
  root: string;
  virtual: readonly string[];
}

function expandSource(tree: Tree, segments: readonly string[]): string[] {
  let paths = [''];
  for (const segment of segments) {
    const pattern = segmentPattern(segment);
    paths = paths.flatMap((dir) => {
      if (!pattern) return [dir ? `${dir}/${segment}` : segment];
      return listDir(tree, dir).filter((e) => pattern.test(e)).map((e) => (dir ? `${dir}/${e}` : e));
    });
  }
  return paths;
}

function walk(tree: Tree, rel: string, found: Set<string>): void {
  const stat = lstatOrUndefined(join(tree.root, rel));
  if (!stat?.isDirectory()) {
    if (rel && (stat || tree.virtual.includes(rel))) found.add(rel);
    return;
  }
  for (const entry of listDir(tree, rel)) walk(tree, rel ? `${rel}/${entry}` : entry, found);
}

function listDir(tree: Tree, rel: string): string[] {
  const prefix = rel ? `${rel}/` : '';
  const virtual = tree.virtual.filter((v) => v.startsWith(prefix) && !v.slice(prefix.length).includes('/')).map((v) => v.slice(prefix.length));
  let entries: string[] = [];
  try {
    entries = readdirSync(join(tree.root, rel));
  } catch {
    // not a folder, or gone: nothing to list
  }
  return [...new Set([...entries, ...virtual])].sort();
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

/**
 * `path → digest` of content and executable bit (COPY keeps modes); a symlink by its target.
 * `overlay` stands in for files that only exist during the build (pip.conf from its template).
 */
export function digestFiles(projectRootAbs: string, paths: readonly string[], overlay: ReadonlyMap<string, string> = new Map()): [string, string][] {
  return paths.map((rel) => [rel, digestFile(overlay.get(rel) ?? join(projectRootAbs, rel))]);
}

function digestFile(abs: string): string {
  const hash = createHash('sha256');
  const stat = lstatOrUndefined(abs);
  if (!stat) return 'missing';
  if (stat.isSymbolicLink()) hash.update(`link:${readlinkSync(abs)}`);
  else hash.update(`${stat.mode & 0o111 ? 'x' : '-'}:`).update(readFileSync(abs));
  return hash.digest('hex');
}
