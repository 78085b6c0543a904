/**
 * The cache key of docker-build tasks. Nx's own hash of a task covers its files, options and
 * environment, but not the engine: it cannot tell that the image was removed, re-tagged or
 * replaced since. This hasher adds exactly that, with one engine snapshot per Nx invocation
 * (src/lib/cache explains the keys).
 *
 * - per-image task: a key that matches a stored result only while the engine holds, under the
 *   reference this run names, the image that result produced;
 * - the aggregate: Nx's hash plus its per-image tasks' keys, so it hits exactly when all of them do;
 * - a dry run: a key never seen before, so it always runs and is never replayed.
 */
import { workspaceRoot, type CustomHasher, type Hash, type HasherContext, type Task, type TaskGraph } from '@nx/devkit';
import { cacheKeyDir, digest, freshKey, imageCacheKey } from '../../lib/cache/cache-keys';
import { takeEngineSnapshot, type EngineSnapshot } from '../../lib/cache/engine-snapshot';
import { applyNameOption, findImage, readDockerProject, type DockerProject } from '../../lib/project';
import { EXECUTORS } from '../../lib/conventions';
import { normalizePluginOptions, pluginOptionsFrom } from '../../plugin/options';
import type { DockerBuildExecutorSchema } from './schema';
import { edgeId } from './task-edges';

type Context = HasherContext & { env?: NodeJS.ProcessEnv };

const snapshots = new WeakMap<TaskGraph, Promise<EngineSnapshot | undefined>>();

const dockerBuildHasher: CustomHasher = async (task, context) => {
  const ctx = context as Context;
  const env = ctx.env ?? process.env;
  const own = await nxHash(task, ctx, env);
  const options = optionsOf(task, ctx);
  if (options.dryRun) return { ...own, value: freshKey(own.value) };
  if (!options.imageType) return aggregateHash(task, ctx.taskGraph, own);
  const ref = referenceOf(task, options, ctx, env);
  const parents = parentKeys(task, ctx);
  // A configuration error is the executor's to report; until it is fixed, nothing is replayed.
  if (ref === undefined || parents === undefined) return { ...own, value: freshKey(own.value) };
  const snapshot = await snapshotFor(ctx.taskGraph, env);
  const inputsHash = parents.length ? digest([own.value, ...parents]) : own.value;
  return { ...own, value: imageCacheKey(cacheKeyDir(workspaceRoot, env), { taskId: task.id, inputsHash, ref }, snapshot) };
};

export default dockerBuildHasher;

/**
 * Nx's own hash of the task, asked for together with every other docker-build task Nx hashes in
 * the same step: Nx calls this hasher once per task, and one request per task (a round trip to
 * the daemon each) cost more than everything else a no-op does.
 */
function nxHash(task: Task, ctx: Context, env: NodeJS.ProcessEnv): Promise<Hash> {
  let batch = batches.get(ctx.hasher);
  if (!batch) {
    const created: Batch = { entries: [] };
    batches.set(ctx.hasher, created);
    setImmediate(() => {
      batches.delete(ctx.hasher);
      void flush(created, ctx);
    });
    batch = created;
  }
  return new Promise((resolve, reject) => batch.entries.push({ task, env, resolve, reject }));
}

interface Batch {
  entries: { task: Task; env: NodeJS.ProcessEnv; resolve: (hash: Hash) => void; reject: (err: unknown) => void }[];
}

const batches = new Map<unknown, Batch>();

/** One request per distinct environment (in practice one): the form every supported Nx accepts. */
async function flush(batch: Batch, ctx: Context): Promise<void> {
  const groups = new Map<string, Batch['entries']>();
  for (const entry of batch.entries) {
    const key = JSON.stringify(entry.env);
    groups.set(key, [...(groups.get(key) ?? []), entry]);
  }
  await Promise.all(
    [...groups.values()].map(async (entries) => {
      try {
        const hashes = await ctx.hasher.hashTasks(entries.map((e) => e.task), ctx.taskGraph, entries[0]?.env);
        entries.forEach((e, i) => {
          const hash = hashes[i];
          if (hash) e.resolve(hash);
          else e.reject(new Error(`Nx returned no hash for ${e.task.id}`));
        });
      } catch (err) {
        entries.forEach((e) => e.reject(err));
      }
    }),
  );
}

function snapshotFor(taskGraph: TaskGraph, env: NodeJS.ProcessEnv): Promise<EngineSnapshot | undefined> {
  let snapshot = snapshots.get(taskGraph);
  if (!snapshot) {
    snapshot = takeEngineSnapshot(env);
    snapshots.set(taskGraph, snapshot);
  }
  return snapshot;
}

/**
 * The keys of the parent images' tasks, which Nx hashed (and ran) before this one. Each stands
 * for exactly one image ID at the parent's reference, so a parent rebuilt, replaced or removed
 * since gives this task a new key. Undefined when one is not known, or when the parents were
 * left out of the run (`--exclude-task-dependencies`): then the task runs and checks its label.
 */
function parentKeys(task: Task, ctx: Context): string[] | undefined {
  const { project, target } = task.target;
  const declared = (ctx.projectsConfigurations.projects[project]?.targets?.[target]?.dependsOn ?? []).filter(
    (d) => typeof d === 'object' && d.target !== undefined && isImageTarget(ctx, d.projects?.[0] ?? project, d.target),
  );
  const parents = (ctx.taskGraph.dependencies[task.id] ?? []).map(edgeId).flatMap((id) => ctx.taskGraph.tasks[id] ?? []);
  const images = parents.filter((t) => isImageTarget(ctx, t.target.project, t.target.target));
  if (images.length < declared.length) return undefined;
  const keys = images.map((t) => t.hash);
  return keys.every((k): k is string => k !== undefined) ? keys.sort() : undefined;
}

/** A per-image docker-build target (the plugin's edges between images), not another dependency a user added. */
function isImageTarget(ctx: Context, project: string, target: string): boolean {
  const config = ctx.projectsConfigurations.projects[project]?.targets?.[target];
  return config?.executor === EXECUTORS.build && typeof (config.options as { imageType?: unknown } | undefined)?.imageType === 'string';
}

/** Hits exactly when every per-image task it depends on hit; runs otherwise. */
function aggregateHash(task: Task, taskGraph: TaskGraph, own: Hash): Hash {
  const deps = (taskGraph.dependencies[task.id] ?? []).map(edgeId);
  const keys = deps.map((id) => taskGraph.tasks[id]?.hash);
  if (deps.length === 0 || keys.some((k) => k === undefined)) return { ...own, value: freshKey(own.value) };
  return { ...own, value: digest([own.value, ...(keys as string[]).sort()]) };
}


/** Target options, then the configuration's, then the command line's: as the executor gets them. */
function optionsOf(task: Task, ctx: Context): DockerBuildExecutorSchema {
  const target = ctx.projectsConfigurations.projects[task.target.project]?.targets?.[task.target.target];
  const configuration = task.target.configuration ? target?.configurations?.[task.target.configuration] : undefined;
  return { ...(target?.options as object), ...(configuration as object), ...task.overrides } as DockerBuildExecutorSchema;
}

/** The reference the executor will build, named by the same rules (tag, DOCKCONV_TAG, --name). */
function referenceOf(task: Task, options: DockerBuildExecutorSchema, ctx: Context, env: NodeJS.ProcessEnv): string | undefined {
  try {
    // --name changes the project's image in place: that read is its own, never shared.
    const project = options.name === undefined ? projectOf(task, options, ctx, env) : readProject(task, options, ctx, env);
    applyNameOption(project, options.name, options);
    return findImage(project, options.imageType ?? '').name.ref;
  } catch {
    return undefined;
  }
}

const projects = new WeakMap<TaskGraph, Map<string, DockerProject>>();

/** Each project's docker/ tree read once per invocation (per tag), not once per image task. */
function projectOf(task: Task, options: DockerBuildExecutorSchema, ctx: Context, env: NodeJS.ProcessEnv): DockerProject {
  let known = projects.get(ctx.taskGraph);
  if (!known) projects.set(ctx.taskGraph, (known = new Map()));
  const key = [task.target.project, options.tag ?? '', env['DOCKCONV_TAG'] ?? '', env['USER'] ?? ''].join('\0');
  let project = known.get(key);
  if (!project) known.set(key, (project = readProject(task, options, ctx, env)));
  return project;
}

function readProject(task: Task, options: DockerBuildExecutorSchema, ctx: Context, env: NodeJS.ProcessEnv): DockerProject {
  const root = ctx.projectsConfigurations.projects[task.target.project]?.root ?? '';
  const plugin = normalizePluginOptions(pluginOptionsFrom(ctx.nxJsonConfiguration));
  return readDockerProject(workspaceRoot, { name: task.target.project, root }, {
    plugin: { tag: plugin.tag, prefix: plugin.prefix },
    env,
    overrides: options.tag ? { tag: options.tag } : {},
  });
}
