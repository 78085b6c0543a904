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
    const hint = def.kind === 'synthetic' ? `it runs '${def.runs}'; build that` : 'it is named in run.cfg but has no docker/<image>/Dockerfile';
    throw new DockconvError(`image '${image}' of ${project.name} is not built here`, { hint });
  }
  return [imageId(project.name, image)];
}

/** The requested images and everything they build on, in an order that builds parents first. */
export function planBuild(graph: ImageGraph, requested: readonly string[]): string[] {
  return buildOrder(graph, requested);
}

/**
 * Whether a per-image task is needed when the aggregate target asked for one `image`: it is
 * that image or one of its ancestors in the same project (other projects' tasks are not
 * handed `--image`).
 */
export function neededFor(graph: ImageGraph, project: string, type: string, image: string): boolean {
  if (type === image) return true;
  return ancestors(graph, imageId(project, image)).includes(imageId(project, type));
}

/** Workspace parents of an image that are part of this plan. */
export function parentsInPlan(graph: ImageGraph, id: string, plan: readonly string[]): string[] {
  return (graph.get(id)?.parents ?? []).filter((p) => plan.includes(p));
}
