/**
 * The docker side of a whole workspace: every project with a docker/ tree, read once, and the
 * image graph across them. Plugin, executors and generators all start here.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { DockconvError } from '../errors';
import { buildImageGraph, cycleError, findCycle, imageId, misnamedParents, readDockerfiles, type ImageGraph } from './graph';
import { externalImages, type DockerfileInfo } from './dockerfile';
import { parseReference, projectPrefix } from './naming';
import { RUN_CONFIG_FILES } from './run-config';
import { buildableImages, DOCKER_DIR, listImageTypes, namingBuildArgs, readDockerProject, type DockerProject, type NamingOptions } from './project';

export interface ProjectLocation {
  name: string;
  /** Relative to the workspace root. */
  root: string;
}

export interface WorkspaceImages {
  workspaceRoot: string;
  projects: Map<string, DockerProject>;
  graph: ImageGraph;
  /**
   * Projects whose docker/ tree cannot be used (a run.cfg or Dockerfile that does not parse, an
   * invalid image folder, a FROM cycle), with the reason. One broken project never stops the
   * others: they are read and built without it, and its own targets report the reason.
   */
  broken: Map<string, DockconvError>;
}

export function loadWorkspaceImages(
  workspaceRoot: string,
  locations: readonly ProjectLocation[],
  naming: NamingOptions = {},
): WorkspaceImages {
  const broken = new Map<string, DockconvError>();
  const isolated = <T>(name: string, body: () => T): T[] => {
    try {
      return [body()];
    } catch (err) {
      broken.set(name, asDockconvError(err, workspaceRoot));
      return [];
    }
  };
  const conforming = locations.filter((p) => hasDockerTree(workspaceRoot, p.root));
  let projects = conforming.flatMap((p) => isolated(p.name, () => readDockerProject(workspaceRoot, p, naming)));
  const read = new Map(projects.map((p) => [p.name, p]));
  const dockerfiles = new Map<string, DockerfileInfo>();
  projects = projects.filter((p) => isolated(p.name, () => readDockerfiles(workspaceRoot, [p]).forEach((info, id) => dockerfiles.set(id, info))).length);
  // Resolving every FROM (an ARG without default resolves to nothing) is the graph's one step
  // that can fail per image: done here first, a project whose FROMs do not resolve stays out.
  projects = projects.filter((p) => isolated(p.name, () => resolvableFroms(p, dockerfiles)).length);
  let graph = buildImageGraph(projects, dockerfiles);
  for (const [name, problem] of misnamedParents(projects, graph)) broken.set(name, problem);
  projects = projects.filter((p) => !broken.has(p.name));
  graph = buildImageGraph(projects, dockerfiles);
  // A FROM cycle breaks the projects on it; the graph is built again without them.
  for (let cycle = findCycle(graph); cycle; cycle = findCycle(graph)) {
    const error = cycleError(graph, cycle);
    const involved = new Set(cycle.map((id) => graph.get(id)?.image.project ?? ''));
    for (const name of involved) broken.set(name, error);
    projects = projects.filter((p) => !involved.has(p.name));
    graph = buildImageGraph(projects, dockerfiles);
  }
  // What derives from a broken project's image cannot build either: it says so, naming the
  // cause, instead of asking a registry for an image that only this workspace makes.
  const repositories = brokenRepositories(workspaceRoot, conforming, read, broken);
  for (let found = dependentsOf(graph, repositories, broken); found.size; found = dependentsOf(graph, repositories, broken)) {
    for (const [name, problem] of found) broken.set(name, problem);
    projects = projects.filter((p) => !found.has(p.name));
    graph = buildImageGraph(projects, dockerfiles);
  }
  return { workspaceRoot, projects: new Map(projects.map((p) => [p.name, p])), graph, broken };
}

/**
 * The repositories each broken project's images would have: as read when its docker/ tree was
 * readable, else `<project>-<folder>` for each docker/<folder>/Dockerfile.
 */
function brokenRepositories(
  workspaceRoot: string,
  locations: readonly ProjectLocation[],
  read: ReadonlyMap<string, DockerProject>,
  broken: ReadonlyMap<string, DockconvError>,
): Map<string, string> {
  const owners = new Map<string, string>();
  for (const { name, root } of locations) {
    if (!broken.has(name)) continue;
    const project = read.get(name);
    let repositories: string[];
    try {
      repositories = project ? buildableImages(project).map((i) => i.name.repository) : listImageTypes(join(workspaceRoot, root)).map((t) => `${projectPrefix(name)}-${t}`);
    } catch {
      repositories = [];
    }
    for (const repository of repositories) owners.set(repository, name);
  }
  return owners;
}

/** Projects (not yet broken) with a FROM naming an image of a broken project, and why. */
function dependentsOf(graph: ImageGraph, owners: ReadonlyMap<string, string>, broken: ReadonlyMap<string, DockconvError>): Map<string, DockconvError> {
  const found = new Map<string, DockconvError>();
  for (const node of graph.values()) {
    const project = node.image.project;
    for (const ref of node.external) {
      const owner = owners.get(parseReference(ref).repository);
      const cause = owner === undefined ? undefined : broken.get(owner);
      if (!owner || !cause || found.has(project) || broken.has(project)) continue;
      const stage = node.dockerfile.stages.find((st) => st.image.includes(parseReference(ref).repository.slice(projectPrefix(owner).length + 1))) ?? node.dockerfile.stages[0];
      found.set(project, new DockconvError(`FROM ${ref}: project ${owner} cannot be used: ${cause.describe()}`, {
        file: join(node.image.projectRoot, node.image.dockerfile ?? ''),
        line: stage?.line,
      }));
    }
  }
  return found;
}

function resolvableFroms(project: DockerProject, dockerfiles: ReadonlyMap<string, DockerfileInfo>): void {
  for (const image of buildableImages(project)) {
    const info = dockerfiles.get(imageId(project.name, image.type));
    if (info) externalImages(info, namingBuildArgs(project, image));
  }
}

/**
 * A fault reading one project (an unreadable file, a parser's own exception) as the project's
 * reason, so that it breaks that project only; the file is named when the fault has one.
 */
function asDockconvError(err: unknown, workspaceRoot: string): DockconvError {
  if (err instanceof DockconvError) return err;
  const path = err instanceof Error && 'path' in err && typeof err.path === 'string' ? err.path : undefined;
  const message = err instanceof Error ? err.message : String(err);
  return new DockconvError(message, path ? { file: relative(workspaceRoot, path) } : {});
}

/** The project's docker/ tree, or the reason it cannot be used. */
export function usableProject(workspace: WorkspaceImages, name: string): DockerProject | undefined {
  const problem = workspace.broken.get(name);
  if (problem) throw problem;
  return workspace.projects.get(name);
}



/** A project conforms when it has an image folder or a run configuration (run-only images). */
export function hasDockerTree(workspaceRoot: string, root: string): boolean {
  const rootAbs = join(workspaceRoot, root);
  if (!existsSync(join(rootAbs, DOCKER_DIR))) return false;
  try {
    return listImageTypes(rootAbs).length > 0 || RUN_CONFIG_FILES.some((f) => existsSync(join(rootAbs, f)));
  } catch {
    // An unreadable docker/ folder still makes a Docker project: reading it then names the fault.
    return true;
  }
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
