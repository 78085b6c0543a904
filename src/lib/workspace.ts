/**
 * The docker side of a whole workspace: every project with a docker/ tree, read once, and the
 * image graph across them. Plugin, executors and generators all start here.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { buildImageGraph, readDockerfiles, type ImageGraph } from './graph';
import { LEGACY_RUN_CONFIG_FILE, RUN_CONFIG_FILE } from './run-config';
import { DOCKER_DIR, listImageTypes, readDockerProject, type DockerProject, type NamingOptions } from './project';

export interface ProjectLocation {
  name: string;
  /** Relative to the workspace root. */
  root: string;
}

export interface WorkspaceImages {
  workspaceRoot: string;
  projects: Map<string, DockerProject>;
  graph: ImageGraph;
}

export function loadWorkspaceImages(
  workspaceRoot: string,
  locations: readonly ProjectLocation[],
  naming: NamingOptions = {},
): WorkspaceImages {
  const projects = locations
    .filter((p) => hasDockerTree(workspaceRoot, p.root))
    .map((p) => readDockerProject(workspaceRoot, p, naming));
  const graph = buildImageGraph(projects, readDockerfiles(workspaceRoot, projects));
  return { workspaceRoot, projects: new Map(projects.map((p) => [p.name, p])), graph };
}

/** A project conforms when it has an image folder or a run configuration (run-only images). */
export function hasDockerTree(workspaceRoot: string, root: string): boolean {
  const rootAbs = join(workspaceRoot, root);
  if (!existsSync(join(rootAbs, DOCKER_DIR))) return false;
  return listImageTypes(rootAbs).length > 0 || [RUN_CONFIG_FILE, LEGACY_RUN_CONFIG_FILE].some((f) => existsSync(join(rootAbs, f)));
}

/**
 * The Nx project name at a root, as Nx would name it: project.json's name, else package.json's,
 * else the folder name. Graph inference needs it before Nx has merged project configurations.
 */
export function projectNameAt(workspaceRoot: string, root: string): string {
  for (const file of ['project.json', 'package.json']) {
    const path = join(workspaceRoot, root, file);
    if (!existsSync(path)) continue;
    try {
      const { name } = JSON.parse(readFileSync(path, 'utf8')) as { name?: unknown };
      if (typeof name === 'string' && name) return name;
    } catch {
      // An unreadable manifest is Nx's to report; fall back to the folder name.
    }
  }
  return basename(join(workspaceRoot, root));
}

export function isProjectRoot(workspaceRoot: string, root: string): boolean {
  return ['project.json', 'package.json'].some((f) => existsSync(join(workspaceRoot, root, f)));
}
