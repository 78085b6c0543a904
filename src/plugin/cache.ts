/**
 * Inference runs on every graph computation. Its result (targets per project and the
 * cross-project edges) is kept in memory and on disk, keyed by a hash of every file it reads,
 * the plugin options and the tag environment; a hit skips parsing and graph building.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProjectConfiguration } from '@nx/devkit';
import { describeError } from '../lib/errors';
import { currentUser } from '../lib/model/naming';
import { DOCKER_DIR } from '../lib/model/project';
import { loadWorkspaceImages, type ProjectLocation } from '../lib/model/workspace';
import { workspaceDataDir } from '../lib/system/workspace-data';
import { namingLayerOf, type NormalizedPluginOptions } from './options';
import { releaseConfig, withTechnology, type ReleaseContext } from './release';
import { brokenTargets, dockerTargets, targetGroup } from './targets';

export interface ProjectEdge {
  source: string;
  target: string;
  sourceFile: string;
}

export interface Inference {
  /** By project name. */
  projects: Record<string, Pick<ProjectConfiguration, 'targets' | 'metadata' | 'release'>>;
  edges: ProjectEdge[];
}

const memo = new Map<string, Inference>();

export function inferWorkspace(
  workspaceRoot: string,
  locations: readonly ProjectLocation[],
  options: NormalizedPluginOptions,
  release: ReleaseContext = { dockerRelease: false },
): Inference {
  const key = inputsKey(workspaceRoot, locations, options, release);
  const cached = memo.get(key) ?? readDiskCache(workspaceRoot, key);
  if (cached) {
    memo.set(key, cached);
    return cached;
  }
  const inferred = infer(workspaceRoot, locations, options, release);
  memo.clear();
  memo.set(key, inferred);
  writeDiskCache(workspaceRoot, key, inferred);
  return inferred;
}

function infer(workspaceRoot: string, locations: readonly ProjectLocation[], options: NormalizedPluginOptions, release: ReleaseContext): Inference {
  const workspace = loadWorkspaceImages(workspaceRoot, locations, { plugin: namingLayerOf(options), env: process.env });
  const projects: Inference['projects'] = {};
  const broken = new Map<string, string>([...workspace.broken].map(([name, problem]) => [name, problem.describe()]));
  for (const project of workspace.projects.values()) {
    try {
      const targets = withTechnology(dockerTargets(project, workspace.graph, options), release);
      const versioning = releaseConfig(project.rootAbs);
      projects[project.name] = { targets, metadata: { targetGroups: targetGroup(targets) }, ...(versioning ? { release: versioning } : {}) };
    } catch (err) {
      broken.set(project.name, describeError(err));
    }
  }
  // A broken project keeps targets that say why when run or shown, instead of failing the graph
  // of every other project (and every Nx command) with it.
  for (const [name, problem] of broken) {
    const targets = brokenTargets(name, problem, options);
    projects[name] = { targets, metadata: { targetGroups: targetGroup(targets) } };
  }
  const edges: ProjectEdge[] = [];
  for (const node of workspace.graph.values()) {
    for (const parent of node.parents.flatMap((id) => workspace.graph.get(id) ?? [])) {
      if (parent.image.project === node.image.project) continue;
      edges.push({ source: node.image.project, target: parent.image.project, sourceFile: join(node.image.projectRoot, node.image.dockerfile ?? '') });
    }
  }
  return { projects, edges };
}

function inputsKey(workspaceRoot: string, locations: readonly ProjectLocation[], options: NormalizedPluginOptions, release: ReleaseContext): string {
  const hash = createHash('sha1');
  hash.update(JSON.stringify([CACHE_VERSION, options, release, process.env['DOCKCONV_TAG'] ?? '', currentUser()]));
  for (const { name, root } of locations) {
    hash.update(`\0${name}\0${root}\0`);
    // Its version decides whether the project gets our release version actions.
    hash.update(readOrEmpty(join(workspaceRoot, root, 'package.json')));
    for (const file of dockerFiles(join(workspaceRoot, root))) hash.update(file).update(readOrEmpty(file));
  }
  return hash.digest('hex');
}

/**
 * The package version and when this file was installed: an upgraded (or rebuilt) plugin
 * infers anew instead of reusing targets an older one wrote.
 */
const CACHE_VERSION = (() => {
  try {
    const { version } = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version?: string };
    return `${version ?? ''}@${statSync(__filename).mtimeMs}`;
  } catch {
    return '';
  }
})();

function cacheDir(workspaceRoot: string): string {
  return workspaceDataDir(workspaceRoot);
}

function readDiskCache(workspaceRoot: string, key: string): Inference | undefined {
  try {
    const stored = JSON.parse(readFileSync(join(cacheDir(workspaceRoot), 'dockconv-inference.json'), 'utf8')) as { key: string; value: Inference };
    return stored.key === key ? stored.value : undefined;
  } catch {
    return undefined;
  }
}

function writeDiskCache(workspaceRoot: string, key: string, value: Inference): void {
  try {
    const dir = cacheDir(workspaceRoot);
    mkdirSync(dir, { recursive: true });
    const tmp = join(dir, `dockconv-inference.${process.pid}.tmp`);
    writeFileSync(tmp, JSON.stringify({ key, value }));
    renameSync(tmp, join(dir, 'dockconv-inference.json'));
  } catch {
    // A cache that cannot be written only costs speed.
  }
}

/** The files inference reads: run.cfg / dockerutils.cfg and every docker/<image>/Dockerfile. */
function dockerFiles(rootAbs: string): string[] {
  const docker = join(rootAbs, DOCKER_DIR);
  let entries: string[];
  try {
    entries = readdirSync(docker);
  } catch {
    return [];
  }
  return entries.sort().flatMap((e) => (e.endsWith('.cfg') ? [join(docker, e)] : [join(docker, e, 'Dockerfile')]));
}

function readOrEmpty(path: string): Buffer | string {
  try {
    return readFileSync(path);
  } catch {
    return '';
  }
}
