/**
 * Graph inference: files → targets and edges, nothing else. Every project whose root holds
 * docker/<image>/Dockerfile (or docker/run.cfg) gets docker targets; one project deriving
 * from another's image gets a project-graph edge.
 */
import { dirname } from 'node:path';
// Types only: loading @nx/devkit at run time costs a plugin worker ~200 ms on every graph.
import type { CreateDependencies, CreateNodes, CreateNodesContext, DependencyType } from '@nx/devkit';
import { inferWorkspace } from './cache';
import { normalizePluginOptions, type DockconvPluginOptions } from './options';
import { releaseContextOf } from './release';
import { buildingTargets, writeTaskScope } from '../lib/cache/task-scope';
import { hasDockerTree, isProjectRoot, projectNameAt } from '../lib/model/workspace';

export const createNodes: CreateNodes<DockconvPluginOptions> = [
  '**/docker/{*/Dockerfile,run.cfg,dockerutils.cfg}',
  (files, rawOptions, context) => {
    const options = normalizePluginOptions(rawOptions);
    const locations = projectLocations(files, context);
    const inferred = inferWorkspace(context.workspaceRoot, locations, options, releaseContextOf(context.nxJsonConfiguration));
    return locations.flatMap(({ name, root, file }) => {
      const project = inferred.projects[name];
      return project ? [[file, { projects: { [root]: { root, ...project } } }] as const] : [];
    });
  },
];

/** @deprecated Nx 23 name of the same inference; Nx 24 calls `createNodes`. */
export const createNodesV2 = createNodes;

export const createDependencies: CreateDependencies<DockconvPluginOptions> = (rawOptions, context) => {
  const locations = Object.entries(context.projects)
    .filter(([, p]) => hasDockerTree(context.workspaceRoot, p.root))
    .map(([name, p]) => ({ name, root: p.root }))
    .sort((a, b) => a.root.localeCompare(b.root));
  writeTaskScope(context.workspaceRoot, { buildingTargets: buildingTargets(Object.values(context.projects)), projects: locations });
  const { edges } = inferWorkspace(context.workspaceRoot, locations, normalizePluginOptions(rawOptions), releaseContextOf(context.nxJsonConfiguration));
  return edges.map((e) => ({ ...e, type: 'static' as DependencyType.static }));
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
