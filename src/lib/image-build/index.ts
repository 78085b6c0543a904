/**
 * docker-build's two modes. A per-image task (one node of the Nx task graph) makes sure its
 * parents exist and builds its image when stale. The aggregate builds the requested image (or
 * all of a project's) and whatever they derive from that is missing or stale, in order,
 * independent images in parallel.
 */
import { describeError, DockconvError } from '../errors';
import { imageId } from '../model/graph';
import { BASE_IMAGE_TYPE, buildableImages, type DockerProject } from '../model/project';
import { ensureImage, type EnsurePolicy } from './build-image';
import { neededFor, parentsInPlan, planBuild, pullsOnForce, requestedImages, withForcedBase } from '../model/build-plan';
import { schedule } from './scheduler';
import { announceSharing } from './shared-builds';
import { closeSession, openSession, type BuildSettings, type BuildSession } from './session';

export interface TaskRequest extends BuildSettings {
  project: DockerProject;
  imageType: string;
  /** `--image` forwarded from the aggregate target: images it does not need are skipped. */
  image?: string;
}

export interface AggregateRequest extends BuildSettings {
  project: DockerProject;
  image?: string;
  parallel: number;
  /** Images whose own Nx task already ran in this invocation: ensured, never forced again. */
  ranByNx: ReadonlySet<string>;
}

/** What a per-image task leaves at its reference, on which engine; no image when skipped or in a dry run. */
export interface TaskOutcome {
  ref: string;
  image?: string;
  engine?: string;
}

export async function buildTask(req: TaskRequest): Promise<TaskOutcome> {
  const id = imageId(req.project.name, req.imageType);
  requestedImages(req.project, req.imageType);
  // An unknown --image fails here already, in the first task Nx runs, with the same message.
  if (req.image !== undefined && req.project.images.some((i) => i.type === req.image)) requestedImages(req.project, req.image);
  const ref = req.graph.get(id)?.image.name.ref ?? '';
  const forcedBase = req.forceBase && req.imageType === BASE_IMAGE_TYPE;
  // Silent: the aggregate says once which images the request left out.
  if (req.image !== undefined && !forcedBase && !neededFor(req.graph, req.project, req.imageType, req.image)) {
    return { ref };
  }
  return withSession(req, async (s) => {
    for (const parent of planBuild(s.graph, [id]).filter((p) => p !== id)) await ensureImage(s, parent, { onlyIfMissing: true });
    await ensureImage(s, id, policyOf(s, id));
    if (s.dryRun) return { ref };
    const image = (await s.inspect(ref))?.id;
    return { ref, engine: s.engine, ...(image ? { image } : {}) };
  });
}

export async function buildAll(req: AggregateRequest): Promise<boolean> {
  const requested = withForcedBase(req.project, requestedImages(req.project, req.image), req.forceBase);
  const needed = planBuild(req.graph, requested);
  const left = req.image === undefined ? [] : buildableImages(req.project).filter((i) => !needed.includes(imageId(req.project.name, i.type)));
  if (left.length) req.print(`skipped, not needed for ${req.image}: ${left.map((i) => i.type).join(', ')}`);
  // Images whose own task succeeded earlier in this Nx run are done (built, current, or a
  // cache hit whose image is present); checking them again would only cost time.
  const plan = needed.filter((id) => !req.ranByNx.has(id));
  if (plan.length === 0) {
    req.print(`${requested.join(', ')}: built by their tasks in this run`);
    return true;
  }
  return withSession(req, async (s) => {
    const result = await schedule(plan, (id) => parentsInPlan(s.graph, id, plan), req.parallel, async (id) => {
      await ensureImage(s, id, policyOf(s, id));
    });
    for (const { id, error } of result.failed) s.print(`[${id}] failed: ${describeError(error)}`);
    if (result.skipped.length) s.print(`not built because of the failure: ${result.skipped.join(', ')}`);
    const first = result.failed[0];
    if (first) throw first.error instanceof DockconvError ? first.error : new DockconvError(`${first.id}: ${describeError(first.error)}`);
    return true;
  });
}

/**
 * `--noCache` rebuilds every image in play but the frozen base, which only `--forceBase`
 * rebuilds; `--forceBase` also rebuilds (with `--pull`) the images that ask to pull on force.
 */
function policyOf(s: BuildSession, id: string): EnsurePolicy {
  const node = s.graph.get(id);
  const isBase = node?.image.type === BASE_IMAGE_TYPE;
  const pulls = s.forceBase && node !== undefined && pullsOnForce(node, s.projects.get(node.image.project)?.runConfig.file ?? '');
  return { force: isBase ? s.forceBase : s.noCache || pulls };
}

async function withSession<T>(settings: BuildSettings, body: (s: BuildSession) => Promise<T>): Promise<T> {
  const session = await openSession(settings);
  announceSharing(session);
  try {
    return await body(session);
  } finally {
    closeSession(session);
  }
}
