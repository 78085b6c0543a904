/**
 * Ensures one image: up to date (its inputs label equals the digest computed now) means no
 * `docker build`; otherwise pre-script, pip.conf, builder stage, final build, post-script.
 * docker tags only a finished build, so a failed or interrupted one leaves the old tag as it was.
 */
import { join, relative } from 'node:path';
import { docker } from '../docker/cli';
import { DockconvError } from '../errors';
import type { ImageNode } from '../graph';
import { withSuffix } from '../naming';
import { BASE_IMAGE_TYPE, type DockerProject } from '../project';
import { scriptText } from '../variables';
import { buildInvocation, type BuildCommand, type BuildInvocation } from './command';
import { INPUTS_LABEL } from './inputs';
import { imageLabels } from './labels';
import { holdPipConf } from './pip-conf';
import { pullsOnForce } from './plan';
import { prepareBuild, type PreparedBuild } from './prepare';
import { writeRecord } from './record';
import { runScript } from './scripts';
import { layerCacheFlags, pullShared, pushShared } from './shared-builds';
import type { BuildSession } from './session';
import type { ProjectVersion } from './version-stamp';

export interface EnsurePolicy {
  /** Build even when the inputs label matches (noCache, forceBase). */
  force?: boolean;
  /** Only make sure it exists (a parent in a per-image task: its own task keeps it current). */
  onlyIfMissing?: boolean;
}

export type EnsureOutcome = 'present' | 'current' | 'pulled' | 'built';

export async function ensureImage(s: BuildSession, id: string, policy: EnsurePolicy = {}): Promise<EnsureOutcome> {
  const node = s.graph.get(id);
  const project = node && s.projects.get(node.image.project);
  if (!node || !project) throw new DockconvError(`unknown image ${id}`);
  const prefix = `[${id}] `;
  const existing = await s.inspect(node.image.name.ref);
  if (policy.onlyIfMissing && existing) return 'present';
  const prepared = await prepareBuild(s, node, project);
  if (!policy.force && existing?.labels[INPUTS_LABEL] === prepared.digest) {
    s.print(`${prefix}${node.image.name.ref} is up to date (${existing.id.slice(0, 19)})`);
    if (!s.dryRun) record(s, node, existing.id, prepared.digest);
    return 'current';
  }
  const pulled = policy.force ? undefined : await pullShared(s, node, prepared.digest);
  if (pulled) {
    record(s, node, pulled, prepared.digest);
    return 'pulled';
  }
  if (!existing && policy.onlyIfMissing) s.print(`${prefix}${node.image.name.ref} is missing: building it`);
  try {
    await buildImage(s, node, project, prepared);
  } finally {
    s.forgetInspections();
  }
  if (!s.dryRun) {
    const built = await s.inspect(node.image.name.ref);
    if (!built) throw new DockconvError(`docker build of ${node.image.name.ref} reported success but the image is not there`);
    record(s, node, built.id, prepared.digest);
  }
  await pushShared(s, node, prepared.digest);
  return 'built';
}

function record(s: BuildSession, node: ImageNode, id: string, inputs: string): void {
  const { image } = node;
  writeRecord(s.recordPath(image), { project: image.project, image: image.type, ref: image.name.ref, id, inputs, builder: s.builder });
  s.onEnsured?.(image, id, s.engine);
}

async function buildImage(s: BuildSession, node: ImageNode, project: DockerProject, prepared: PreparedBuild): Promise<void> {
  const label = `${node.id} (${node.image.name.ref})`;
  await script(s, node, project, 'pre_build_script', label);
  const version = await s.versionOf(project);
  const hold = s.dryRun ? undefined : await holdPipConf(project.rootAbs);
  const unregister = hold ? s.interrupts.onInterrupt(() => hold.release()) : undefined;
  try {
    const common = commandBase(s, node, project, prepared);
    const builder = node.dockerfile.builderStage;
    if (builder) {
      const ref = withSuffix(node.image.name, 'builder').ref;
      await runDocker(s, node, buildInvocation({ ...common, ref, target: builder, labels: labelsOf(node, version) }), `${label}, stage ${builder}`);
    }
    await runDocker(s, node, buildInvocation({ ...common, labels: labelsOf(node, version, prepared.digest) }), label);
  } finally {
    unregister?.();
    hold?.release();
  }
  await script(s, node, project, 'post_build_script', label);
}

function commandBase(s: BuildSession, node: ImageNode, project: DockerProject, prepared: PreparedBuild): Omit<BuildCommand, 'labels'> {
  const isBase = node.image.type === BASE_IMAGE_TYPE;
  const forcedBase = isBase && s.forceBase;
  // `--pull` reaches every FROM; a workspace parent is in no registry, so only images that
  // start from external images alone are pulled.
  const external = node.parents.length === 0 && node.external.length > 0;
  const file = project.runConfig.file ?? '';
  return {
    dockerfile: relative(s.workspaceRoot, join(project.rootAbs, node.image.dockerfile ?? '')) || '.',
    context: relative(s.workspaceRoot, project.rootAbs) || '.',
    ref: node.image.name.ref,
    dockerfileText: prepared.dockerfileText,
    buildArgs: prepared.buildArgs,
    flags: [...prepared.flags, ...layerCacheFlags(s.sharedRegistry, node.image.name.ref, s.builder).map((value) => ({ value, shown: value }))],
    noCache: isBase ? forcedBase : s.noCache,
    pull: external && (s.pull || (s.forceBase && pullsOnForce(node, file))),
    builder: s.builder,
  };
}

function labelsOf(node: ImageNode, version: ProjectVersion, inputs?: string): Record<string, string> {
  return imageLabels({
    project: node.image.project,
    imageType: node.image.type,
    title: node.image.name.repository,
    version: version.version,
    revision: version.commit,
    source: version.source,
    ...(inputs ? { inputs } : {}),
  });
}

/**
 * Images shared through a registry are built without buildx's default provenance attestation:
 * Engine 26 with the containerd image store was seen to push the attestation manifest under the
 * image's tag (the index never arrived, the push hung for good) when several were shared at once.
 * Plain manifests push as the classic store's do. (A variable, not `--provenance=false`: clients
 * before 23 build with BuildKit without buildx and know no such flag.)
 */
const NO_ATTESTATIONS = { BUILDX_NO_DEFAULT_ATTESTATIONS: '1' };

async function runDocker(s: BuildSession, node: ImageNode, { args, stdin }: BuildInvocation, label: string): Promise<void> {
  const env = { ...s.env, DOCKER_BUILDKIT: s.builder === 'buildkit' ? '1' : '0', ...(s.sharedRegistry ? NO_ATTESTATIONS : {}) };
  const result = await docker(args, { ...(stdin ? { stdin } : {}), dryRun: s.dryRun, prefix: `[${node.id}] `, env, cwd: s.workspaceRoot, signal: s.interrupts.signal, print: s.print });
  if (s.interrupts.signal.aborted) throw new DockconvError(`build of ${label} interrupted`);
  if (result.exitCode !== 0) throw new DockconvError(`docker build of ${label} failed (exit ${result.exitCode})`);
}

async function script(s: BuildSession, node: ImageNode, project: DockerProject, key: 'pre_build_script' | 'post_build_script', label: string): Promise<void> {
  const entry = node.image.section?.entries.get(key);
  if (!entry) return;
  const where = { file: project.runConfig.file, line: entry.line };
  const text = scriptText(entry.value, s.replacements(node.image), where);
  await runScript({ key, script: text, cwd: project.rootAbs, env: s.env, prefix: `[${node.id}] `, label, dryRun: s.dryRun, signal: s.interrupts.signal, print: s.print });
}
