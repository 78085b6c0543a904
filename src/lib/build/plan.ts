/**
 * Which images a docker-build invocation is about, pure: the requested image (or all of the
 * project's), their ancestors across projects, parents before children.
 */
import { DockconvError } from '../errors';
import { ancestors, buildOrder, imageId, type ImageGraph } from '../graph';
import { buildableImages, findImage, type DockerProject } from '../project';

/** Ids of the images asked for: `image` of the project, else every image it builds. */
export function requestedImages(project: DockerProject, image?: string): string[] {
  if (image === undefined) return buildableImages(project).map((i) => imageId(project.name, i.type));
  const def = findImage(project, image);
  if (def.kind !== 'build') {
    const hint = def.runs ? `it runs '${def.runs}'; build that` : 'it is named in run.cfg but has no docker/<image>/Dockerfile';
    throw new DockconvError(`image '${image}' of ${project.name} is not built here`, { hint });
  }
  return [imageId(project.name, image)];
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
