/**
 * The image dependency graph across all projects: an image depends on every
 * workspace image its Dockerfile starts from or copies from, matched by repository so that
 * `FROM ${BASE_IMAGE}`, `FROM myproj-base:${TAG}` and a literal `FROM other-base:alice` all count.
 */
import { join } from 'node:path';
import { DockconvError } from '../errors';
import { externalImages, readDockerfile, type DockerfileInfo } from './dockerfile';
import { parseReference, projectPrefix } from './naming';
import { buildableImages, namingBuildArgs, type DockerProject, type ImageDef } from './project';

export interface ImageNode {
  /** `<project>:<type>` */
  id: string;
  image: ImageDef;
  dockerfile: DockerfileInfo;
  /** Ids of workspace images this one builds on. */
  parents: string[];
  /** Images from outside the workspace (pulled, or already on the engine). */
  external: string[];
}

export type ImageGraph = Map<string, ImageNode>;

export function imageId(project: string, type: string): string {
  return `${project}:${type}`;
}

/** Reads every buildable image's Dockerfile of the given projects. */
export function readDockerfiles(workspaceRoot: string, projects: readonly DockerProject[]): Map<string, DockerfileInfo> {
  const infos = new Map<string, DockerfileInfo>();
  for (const project of projects) {
    for (const image of buildableImages(project)) {
      const shown = join(project.root, image.dockerfile ?? '');
      infos.set(imageId(project.name, image.type), readDockerfile(join(workspaceRoot, shown), shown));
    }
  }
  return infos;
}

export function buildImageGraph(projects: readonly DockerProject[], dockerfiles: ReadonlyMap<string, DockerfileInfo>): ImageGraph {
  const byRepository = new Map<string, string>();
  for (const project of projects) {
    for (const image of buildableImages(project)) byRepository.set(image.name.repository, imageId(project.name, image.type));
  }
  const graph: ImageGraph = new Map();
  for (const project of projects) {
    for (const image of buildableImages(project)) {
      const id = imageId(project.name, image.type);
      const dockerfile = dockerfiles.get(id);
      if (!dockerfile) throw new DockconvError(`no Dockerfile read for ${id}`);
      const froms = externalImages(dockerfile, namingBuildArgs(project, image));
      const parents = froms.flatMap((ref) => byRepository.get(parseReference(ref).repository) ?? []);
      const external = froms.filter((ref) => !byRepository.has(parseReference(ref).repository));
      graph.set(id, { id, image, dockerfile, parents: [...new Set(parents)], external });
    }
  }
  return graph;
}

/**
 * A FROM naming a workspace project's repository (`alpha-ghost` while alpha has base, dev) that
 * is none of its images: a misspelling, since no registry holds a workspace project's images.
 * Only projects whose images carry the `<project>-` prefix are recognised this way.
 */
export function misnamedParents(projects: readonly DockerProject[], graph: ImageGraph): Map<string, DockconvError> {
  const owners = projects.flatMap((p) => {
    const prefix = `${projectPrefix(p.name)}-`;
    const images = buildableImages(p);
    return images.length && images.every((i) => i.name.repository.startsWith(prefix)) ? [{ project: p, prefix, images }] : [];
  });
  const problems = new Map<string, DockconvError>();
  for (const node of graph.values()) {
    for (const ref of node.external) {
      const repository = parseReference(ref).repository;
      const owner = owners.find((o) => repository.startsWith(o.prefix));
      if (!owner || problems.has(node.image.project)) continue;
      const stage = node.dockerfile.stages.find((st) => st.image.includes(repository.slice(owner.prefix.length))) ?? node.dockerfile.stages[0];
      problems.set(node.image.project, new DockconvError(`FROM ${ref}: project ${owner.project.name} has no image '${repository.slice(owner.prefix.length)}'`, {
        file: join(node.image.projectRoot, node.image.dockerfile ?? ''),
        line: stage?.line,
        hint: `its images: ${owner.images.map((i) => i.type).join(', ')}`,
      }));
    }
  }
  return problems;
}

/** A cycle as the list of ids along it (first id repeated at the end), or undefined. */
export function findCycle(graph: ImageGraph): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'visiting') return [...path.slice(path.indexOf(id)), id];
    state.set(id, 'visiting');
    path.push(id);
    for (const parent of graph.get(id)?.parents ?? []) {
      const cycle = visit(parent);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const id of [...graph.keys()].sort()) {
    const cycle = visit(id);
    if (cycle) return cycle;
  }
  return undefined;
}

export function cycleError(graph: ImageGraph, cycle: readonly string[]): DockconvError {
  const first = graph.get(cycle[0] ?? '');
  const next = cycle[1] ?? '';
  const line = first?.dockerfile.stages.find((s) => s.image.includes(graph.get(next)?.image.type ?? '\0'))?.line;
  return new DockconvError(`image dependency cycle: ${cycle.join(' → ')}`, {
    file: first && join(first.image.projectRoot, first.image.dockerfile ?? ''),
    line: line ?? first?.dockerfile.stages[0]?.line,
    hint: 'each image may only build FROM images that do not build FROM it',
  });
}

/** All workspace images `id` builds on, nearest first. */
export function ancestors(graph: ImageGraph, id: string): string[] {
  const seen = new Set<string>();
  const queue = [...(graph.get(id)?.parents ?? [])];
  while (queue.length) {
    const next = queue.shift() ?? '';
    if (seen.has(next)) continue;
    seen.add(next);
    queue.push(...(graph.get(next)?.parents ?? []));
  }
  return [...seen];
}

/** The given ids and their ancestors, parents before children. */
export function buildOrder(graph: ImageGraph, ids: readonly string[]): string[] {
  return parentsFirst(ids, (id) => graph.get(id)?.parents ?? []);
}

/**
 * The given ids and every parent `parentsOf` reaches from them, each after its parents, otherwise
 * in the order given. Images, and build tasks of images, are ordered alike: whoever holds the
 * edges passes them in. The edges must be acyclic (findCycle checks images; Nx checks tasks).
 */
export function parentsFirst(ids: readonly string[], parentsOf: (id: string) => readonly string[]): string[] {
  const order: string[] = [];
  const placed = new Set<string>();
  const place = (id: string): void => {
    if (placed.has(id)) return;
    placed.add(id);
    parentsOf(id).forEach(place);
    order.push(id);
  };
  ids.forEach(place);
  return order;
}
