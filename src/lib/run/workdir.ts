/**
 * `{workdir}`: the WORKDIR the image to run ends with, read from its Dockerfile; when that sets
 * none, from the Dockerfile of the workspace image it starts from, and so on up the chain. When
 * the chain leaves the workspace (an external FROM, a configuration-only image) only the engine
 * knows: the caller is told which image to inspect.
 */
import { finalStageChain, lastWorkdir } from '../model/dockerfile';
import { imageId, type ImageGraph, type ImageNode } from '../model/graph';
import { parseReference } from '../model/naming';
import { namingBuildArgs, type DockerProject, type ImageDef } from '../model/project';

export type WorkdirSource = { workdir: string } | { inspect: string };

/** Docker's working directory when no image in the chain sets one. */
const DEFAULT_WORKDIR = '/';

export function workdirSource(projects: ReadonlyMap<string, DockerProject>, graph: ImageGraph, image: ImageDef): WorkdirSource {
  let node = graph.get(imageId(image.project, image.runs ?? image.type));
  if (!node) return { inspect: image.name.ref };
  const seen = new Set<string>();
  while (node && !seen.has(node.id)) {
    seen.add(node.id);
    const project = projects.get(node.image.project);
    const args = project ? namingBuildArgs(project, node.image) : {};
    const dir = lastWorkdir(node.dockerfile, args);
    if (dir !== undefined) return { workdir: dir };
    const from = finalStageChain(node.dockerfile, args)[0]?.image ?? 'scratch';
    if (from === 'scratch') return { workdir: DEFAULT_WORKDIR };
    node = nodeByRepository(graph, from);
    if (!node) return { inspect: from };
  }
  return { workdir: DEFAULT_WORKDIR };
}

function nodeByRepository(graph: ImageGraph, ref: string): ImageNode | undefined {
  const { repository } = parseReference(ref);
  return [...graph.values()].find((n) => n.image.name.repository === repository);
}
