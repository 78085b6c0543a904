/**
 * Maps a project's images to Nx targets. Pure: takes what the conventions library read and
 * returns target configurations; nothing here touches the disk or Docker.
 */
import type { TargetConfiguration } from '@nx/devkit';
import { contextSources } from '../lib/model/dockerfile';
import type { ImageGraph, ImageNode } from '../lib/model/graph';
import { ancestors, imageId } from '../lib/model/graph';
import type { DockerProject, ImageDef } from '../lib/model/project';
import { RUN_CONFIG_FILES } from '../lib/model/run-config';
import { consumesVersion } from '../lib/model/version-inputs';
import { EXECUTORS, imageBuildTarget, imageRecordPath } from '../lib/model/conventions';
import { STATE_SCOPE_VARIABLE, stateVariable } from '../lib/cache/state-variables';
import type { NormalizedPluginOptions } from './options';
import { publishTargets } from './publish-targets';

type Targets = Record<string, TargetConfiguration>;

const DOCKER_META = { technologies: ['docker'] };

export function dockerTargets(project: DockerProject, graph: ImageGraph, options: NormalizedPluginOptions): Targets {
  const nodes = project.images.flatMap((i) => graph.get(imageId(project.name, i.type)) ?? []);
  const left = leftOut(project);
  if (nodes.length === 0 && left) return brokenTargets(project.name, left, options);
  const targets: Targets = {};
  for (const node of nodes) targets[imageBuildTarget(options, node.image.type)] = imageBuildTargetConfig(node, nodes, graph, options);
  const imageInputs = nodes.map((n) => targets[imageBuildTarget(options, n.image.type)]?.inputs ?? []);
  if (nodes.length) targets[options.buildTargetName] = aggregateBuildTarget(project, nodes, unionOf(imageInputs), options);
  const runnable = project.images;
  if (runnable.length) targets[options.runTargetName] = runTarget(project, runnable, options);
  if (nodes.length) targets[options.transferTargetName] = transferTarget(project, nodes);
  if (nodes.length) Object.assign(targets, publishTargets(project, nodes, options));
  targets[options.versionTargetName] = versionTarget(project);
  return targets;
}

/**
 * A project whose docker/ tree cannot be read: its build and run targets exist, fail with the
 * reason when run (the executor reads the tree again), and show it in `nx show project`.
 */
export function brokenTargets(project: string, problem: string, options: NormalizedPluginOptions): Targets {
  const target = (executor: string, what: string): TargetConfiguration => ({
    executor,
    options: {},
    cache: false,
    metadata: { ...DOCKER_META, description: `Cannot ${what} ${project}'s Docker images: ${problem}` },
  });
  return {
    [options.buildTargetName]: target(EXECUTORS.build, 'build'),
    [options.runTargetName]: target(EXECUTORS.run, 'run'),
    [options.versionTargetName]: versionTarget({ name: project }),
  };
}

/** The images of the project that cannot be read, each with its `file:line: message`. */
function leftOut(project: DockerProject): string | undefined {
  const problems = [...project.broken].map(([type, err]) => `${type} (${err.describe()})`);
  return problems.length ? problems.join('; ') : undefined;
}

export function targetGroup(targets: Targets): Record<string, string[]> {
  return { Docker: Object.keys(targets) };
}

function perImageConfigurations(images: readonly ImageDef[], option: (image: ImageDef) => Record<string, unknown>) {
  return Object.fromEntries(images.map((i) => [i.type, option(i)]));
}

function aggregateBuildTarget(project: DockerProject, nodes: ImageNode[], inputs: Inputs, options: NormalizedPluginOptions): TargetConfiguration {
  const images = nodes.map((n) => n.image);
  return {
    executor: EXECUTORS.build,
    options: {},
    configurations: perImageConfigurations(images, (i) => ({ image: i.type })),
    // `params: forward` hands `--image` to each per-image task, which then skips what the
    // requested image does not need; the hash includes the forwarded value, so a skip is never
    // mistaken for a build in the cache.
    dependsOn: nodes.map((n) => ({ target: imageBuildTarget(options, n.image.type), params: 'forward' as const })),
    // Cached on everything its images' tasks hash (their files and image states), so a
    // re-run with nothing changed forks no process for it either, and a hit still implies every
    // image is there and current, even under --exclude-task-dependencies.
    cache: true,
    inputs,
    metadata: {
      ...DOCKER_META,
      description: `Build the Docker images of ${project.name}: ${images.map((i) => i.name.ref).join(', ')}${leftOut(project) ? `; left out: ${leftOut(project)}` : ''}`,
      help: { command: 'nx run <project>:docker-build --image=<image>', example: { options: { image: images[0]?.type } } },
    },
  };
}

type Inputs = NonNullable<TargetConfiguration['inputs']>;

function unionOf(lists: Inputs[]): Inputs {
  const seen = new Map(lists.flat().map((input) => [JSON.stringify(input), input]));
  return [...seen.values()];
}

function imageBuildTargetConfig(node: ImageNode, siblings: ImageNode[], graph: ImageGraph, options: NormalizedPluginOptions): TargetConfiguration {
  const { image } = node;
  const parents = node.parents.flatMap((id) => graph.get(id) ?? []);
  return {
    executor: EXECUTORS.build,
    options: { imageType: image.type },
    // Nx hands a configuration on to dependencies only where they have it: with these,
    // `nx run p:docker-build:dev` reaches the per-image tasks as `image: dev`, which then skip
    // the images dev does not need.
    configurations: perImageConfigurations(siblings.map((n) => n.image), (i) => ({ image: i.type })),
    // Forwarded so that a parent task reached first through this edge still gets the options
    // the user gave (Nx makes one task per target): `--dryRun` must reach base too.
    dependsOn: parents.map((p) =>
      p.image.project === image.project
        ? { target: imageBuildTarget(options, p.image.type), params: 'forward' as const }
        : { projects: [p.image.project], target: imageBuildTarget(options, p.image.type), params: 'forward' as const },
    ),
    cache: true,
    inputs: buildInputs(node, graph),
    outputs: [`{workspaceRoot}/${imageRecordPath(image.projectRoot, image.type)}`],
    metadata: {
      ...DOCKER_META,
      description: `Build ${image.name.ref} from ${image.dockerfile}`,
    },
  };
}

/**
 * Nx-level inputs: a superset of what the build reads, so Nx never replays a stale result.
 * What files cannot say (whether the engine still holds the image a run with these inputs left,
 * on which engine, built on which parents) is the image's state, set by the plugin once per
 * command before Nx hashes anything and read here as environment variables.
 * The executor then compares the exact inputs (after .dockerignore) with the image's label,
 * so a change Nx cannot rule out still runs no `docker build` when nothing relevant moved.
 *
 * The files of every ancestor image count too, rooted at the workspace: `nx affected` selects a
 * task only when a changed file is among its inputs, and a parent's edit must reach the images
 * built on it, in other projects as well. The state alone would only say so at run time.
 */
function buildInputs(node: ImageNode, graph: ImageGraph): Inputs {
  const { image } = node;
  const files = [...fileInputs(node), ...ancestors(graph, node.id).flatMap((id) => graph.get(id) ?? []).flatMap(workspaceFileInputs)];
  return [
    ...new Set(files),
    { env: 'DOCKCONV_TAG' },
    { env: 'DOCKER_HOST' },
    { env: 'DOCKER_CONTEXT' },
    { env: STATE_SCOPE_VARIABLE },
    { env: stateVariable(image.project, image.type) },
    ...(consumesVersion(node.dockerfile) ? [{ runtime: 'git describe --tags --dirty --always --long 2>/dev/null || echo none' }] : []),
  ];
}

/** The files one image's build reads, relative to its project root. */
function fileInputs(node: ImageNode): string[] {
  return [
    `{projectRoot}/docker/${node.image.type}/**/*`,
    ...RUN_CONFIG_FILES.map((file) => `{projectRoot}/${file}`),
    '{projectRoot}/.dockerignore',
    ...contextSources(node.dockerfile).flatMap(sourceInputs),
  ];
}

function workspaceFileInputs(node: ImageNode): string[] {
  const root = node.image.projectRoot === '.' || node.image.projectRoot === '' ? '{workspaceRoot}' : `{workspaceRoot}/${node.image.projectRoot}`;
  return fileInputs(node).map((input) => input.replace('{projectRoot}', root));
}

function sourceInputs(source: string): string[] {
  const path = source.replace(/^\.\/?/, '').replace(/\/+$/, '');
  if (path === '' || path === '*') return ['{projectRoot}/**/*'];
  return [`{projectRoot}/${path}`, `{projectRoot}/${path}/**/*`];
}

function runTarget(project: DockerProject, images: ImageDef[], options: NormalizedPluginOptions): TargetConfiguration {
  const only = images.length === 1 ? images[0]?.type : undefined;
  return {
    executor: EXECUTORS.run,
    options: only ? { image: only } : {},
    configurations: perImageConfigurations(images, (i) => ({ image: i.type })),
    cache: false,
    metadata: {
      ...DOCKER_META,
      description: `Run an image of ${project.name} with its docker/run.cfg configuration (${images.map((i) => i.type).join(', ')})`,
      help: { command: `nx run ${project.name}:${options.runTargetName}:<image>`, example: { options: { image: images[0]?.type, command: 'sh' } } },
    },
  };
}

function transferTarget(project: DockerProject, nodes: ImageNode[]): TargetConfiguration {
  return {
    executor: EXECUTORS.transfer,
    options: {},
    configurations: perImageConfigurations(nodes.map((n) => n.image), (i) => ({ image: [i.type] })),
    cache: false,
    metadata: {
      ...DOCKER_META,
      description: `Send images of ${project.name} to another Docker engine, only the layers it lacks`,
      help: { command: 'nx run <project>:transfer-image --image=base --to=user@host', example: { options: { image: ['base'], to: 'ssh://user@host' } } },
    },
  };
}

function versionTarget(project: Pick<DockerProject, 'name'>): TargetConfiguration {
  return {
    executor: EXECUTORS.version,
    options: {},
    // Not cached: git's answer depends on branch, tags and dirty state that no input list
    // covers exactly, and computing it takes ~15 ms.
    cache: false,
    metadata: { ...DOCKER_META, description: `Write ${project.name}'s _version.py.bld (versioneer-compatible) and print the version` },
  };
}
