/**
 * Which images a docker-build invocation is about, pure: the requested image (or all of the
 * project's), their ancestors across projects, parents before children.
 */
import { DockconvError } from '../errors';
import { ancestors, buildOrder, imageId, type ImageGraph, type ImageNode } from './graph';
import { BASE_IMAGE_TYPE, buildableImages, findImage, type DockerProject } from './project';
import { parseBoolean } from './run-config';

/** Ids of the images asked for: `image` of the project, else every image it builds. */
export function requestedImages(project: DockerProject, image?: string): string[] {
  if (image === undefined) {
    // "All images" includes one that cannot be read: say which, rather than build the rest as if
    // it were not there. Asking for another image by name still works.
    const [left] = project.broken.keys();
    if (left !== undefined) findImage(project, left);
    return buildableImages(project).map((i) => imageId(project.name, i.type));
  }
  const def = findImage(project, image);
  if (def.kind !== 'build') {
    const hint = def.runs ? `it runs '${def.runs}'; build that` : 'it is named in run.cfg but has no docker/<image>/Dockerfile';
    throw new DockconvError(`image '${image}' of ${project.name} is not built here`, { hint });
  }
  return [imageId(project.name, image)];
}

/**
 * `forceBase` rebuilds the project's base along with the requested image, whether or not that
 * image derives from it (what dockerutils' `build-image -f` did): the base comes first.
 */
export function withForcedBase(project: DockerProject, requested: readonly string[], forceBase: boolean): string[] {
  const base = buildableImages(project).find((i) => i.type === BASE_IMAGE_TYPE);
  if (!forceBase || !base) return [...requested];
  const id = imageId(project.name, base.type);
  return [id, ...requested.filter((r) => r !== id)];
}

/**
 * With `forceBase`, an image whose run.cfg section says `pull_FROM_on_force` is rebuilt with
 * `--pull`, when it starts from external images only (a workspace parent is in no registry).
 */
export function pullsOnForce(node: ImageNode, file: string): boolean {
  const entry = node.image.section?.entries.get('pull_FROM_on_force');
  const external = node.parents.length === 0 && node.external.length > 0;
  return external && entry !== undefined && parseBoolean(entry, file);
}

/** The requested images and everything they build on, in an order that builds parents first. */
export function planBuild(graph: ImageGraph, requested: readonly string[]): string[] {
  return buildOrder(graph, requested);
}

/**
 * Whether a per-image task is needed for the `--image` the aggregate target forwarded: it is
 * that image or an ancestor of it. The option also travels up to parents in other projects;
 * there `image` names the image of the project that asked, found by its type.
 */
export function neededFor(graph: ImageGraph, project: DockerProject, type: string, image: string): boolean {
  const self = imageId(project.name, type);
  const own = project.images.some((i) => i.type === image);
  const targets = own ? [imageId(project.name, image)] : [...graph.values()].filter((n) => n.image.type === image).map((n) => n.id);
  if (targets.length === 0) findImage(project, image);
  return targets.some((t) => t === self || ancestors(graph, t).includes(self));
}

/** Workspace parents of an image that are part of this plan. */
export function parentsInPlan(graph: ImageGraph, id: string, plan: readonly string[]): string[] {
  return (graph.get(id)?.parents ?? []).filter((p) => plan.includes(p));
}
