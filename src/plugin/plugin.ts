/**
 * Graph inference: files → targets and edges, nothing else. Every project whose root holds
 * docker/<image>/Dockerfile (or docker/run.cfg) gets docker targets; one project deriving
 * from another's image gets a project-graph edge.
 */
import { dirname, join } from 'node:path';
import {
  DependencyType,
  type CreateDependencies,
  type CreateNodes,
  type CreateNodesContext,
  type RawProjectGraphDependency,
} from '@nx/devkit';
import { loadCachedWorkspace } from './cache';
import { normalizePluginOptions, type DockconvPluginOptions } from './options';
import { dockerTargets, targetGroup } from './targets';
import { isProjectRoot, projectNameAt } from '../lib/workspace';


export const createNodes: CreateNodes<DockconvPluginOptions> = [
  '**/docker/{*/Dockerfile,run.cfg,dockerutils.cfg}',
  (files, rawOptions, context) => {
    const options = normalizePluginOptions(rawOptions);
    const locations = projectLocations(files, context);
    const workspace = loadCachedWorkspace(context.workspaceRoot, locations, options);
    return locations.flatMap(({ name, root, file }) => {
      const project = workspace.projects.get(name);
      if (!project) return [];
      const targets = dockerTargets(project, workspace.graph, options);
      return [[file, { projects: { [root]: { root, targets, metadata: { targetGroups: targetGroup(targets) } } } }] as const];
    });
  },
];

/** @deprecated Nx 23 name of the same inference; Nx 24 calls `createNodes`. */
export const createNodesV2 = createNodes;

export const createDependencies: CreateDependencies<DockconvPluginOptions> = (rawOptions, context) => {
  const options = normalizePluginOptions(rawOptions);
  const locations = Object.entries(context.projects).map(([name, p]) => ({ name, root: p.root }));
  const workspace = loadCachedWorkspace(context.workspaceRoot, locations, options);
  const edges: RawProjectGraphDependency[] = [];
  for (const node of workspace.graph.values()) {
    for (const parent of node.parents.flatMap((id) => workspace.graph.get(id) ?? [])) {
      if (parent.image.project === node.image.project) continue;
      edges.push({
        source: node.image.project,
        target: parent.image.project,
        type: DependencyType.static,
        sourceFile: join(node.image.projectRoot, node.image.dockerfile ?? ''),
      });
    }
  }
  return edges;
};

/** One location per project root, keyed by the first matched file (Nx reports errors against it). */
function projectLocations(files: readonly string[], context: CreateNodesContext) {
  const roots = new Map<string, string>();
  for (const file of files) {
    const root = file.endsWith('Dockerfile') ? dirname(dirname(dirname(file))) : dirname(dirname(file));
    if (!roots.has(root)) roots.set(root, file);
  }
  return [...roots]
    .filter(([root]) => isProjectRoot(context.workspaceRoot, root))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([root, file]) => ({ name: projectNameAt(context.workspaceRoot, root), root, file }));
}
