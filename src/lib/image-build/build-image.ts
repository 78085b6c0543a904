/**
 * Ensures one image: up to date (its inputs label equals the digest computed now) means no
 * `docker build`; otherwise pre-script, pip.conf, builder stage, final build, post-script.
 * docker tags only a finished build, so a failed or interrupted one leaves the old tag as it was.
 */
import { join, relative } from 'node:path';
import { engineOf } from '../docker/engine';
import { DockconvError } from '../errors';
import type { ImageNode } from '../model/graph';
import { withSuffix } from '../model/naming';
import { BASE_IMAGE_TYPE, type DockerProject } from '../model/project';
import { scriptText } from '../text/variables';
import { buildInvocation, type BuildCommand, type BuildInvocation } from './command';
import { INPUTS_LABEL } from '../model/build-inputs';
import { imageLabels } from './labels';
import { holdPipConf } from '../model/pip-conf';
import { pullsOnForce } from '../model/build-plan';
import { prepareBuild, type PreparedBuild } from './prepare';
import { writeRecord } from './record';
import { runScript } from './scripts';
import { builtHereDir, recordBuiltHere, wasBuiltHere } from '../system/built-here';
import { layerCacheFlags, pullShared, pushShared } from './shared-builds';
import type { BuildSession } from './session';
import type { ProjectVersion } from '../version/stamp';

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
  // Publishing vouches for what it pushes: a label anyone could have written is not enough.
  let untrusted = false;
  if (!policy.force && existing?.labels[INPUTS_LABEL] === prepared.digest) {
    untrusted = s.builtHereOnly === true && !s.dryRun && !wasBuiltHere(builtHereDir(s.env), existing.id);
    if (!untrusted) {
      s.print(`${prefix}${node.image.name.ref} is up to date (${existing.id.slice(0, 19)})`);
      if (!s.dryRun) record(s, node, existing.id, prepared.digest);
      return 'current';
    }
    s.print(`${prefix}${node.image.name.ref} (${existing.id.slice(0, 19)}) has these inputs but was not built on this machine: rebuilding it here without the layer cache`);
  }
  const pulled = policy.force ? undefined : await pullShared(s, node, prepared.digest, prepared.platforms);
  if (pulled) {
    record(s, node, pulled, prepared.digest);
    return 'pulled';
  }
  if (!existing && policy.onlyIfMissing) s.print(`${prefix}${node.image.name.ref} is missing: building it`);
  const layerCache = sharedLayerCache(s, node);
  try {
    await buildImage(s, node, project, prepared, { noCache: untrusted || importedCache(s), layerCache });
  } finally {
    s.forgetInspections();
  }
  if (!s.dryRun) {
    const built = await s.inspect(node.image.name.ref);
    if (!built) throw new DockconvError(`docker build of ${node.image.name.ref} reported success but the image is not there`);
    record(s, node, built.id, prepared.digest);
    // Layers BuildKit took from the shared registry are as good as whoever pushed them.
    if (layerCache.length === 0) recordBuiltHere(builtHereDir(s.env), built.id);
  }
  await pushShared(s, node, prepared.digest);
  return 'built';
}

function record(s: BuildSession, node: ImageNode, id: string, inputs: string): void {
  const { image } = node;
  writeRecord(s.recordPath(image), { project: image.project, image: image.type, ref: image.name.ref, id, inputs, builder: s.builder });
  s.onEnsured?.(image, id, s.engine);
}

interface BuildChoices {
  /** Rebuild without the layer cache, whatever the options say. */
  noCache: boolean;
  /** `--cache-from`/`--cache-to` flags of the shared registry, if it is used. */
  layerCache: string[];
}

/**
 * BuildKit keeps in its build cache the layers an earlier `--cache-from` took from the shared
 * registry, so a publishing build on such a machine uses none of it.
 */
function importedCache(s: BuildSession): boolean {
  return s.builtHereOnly === true && s.builder === 'buildkit' && s.sharedRegistry !== undefined;
}

function sharedLayerCache(s: BuildSession, node: ImageNode): string[] {
  return s.builtHereOnly ? [] : layerCacheFlags(s.sharedRegistry, node.image.name.ref, s.builder);
}

async function buildImage(s: BuildSession, node: ImageNode, project: DockerProject, prepared: PreparedBuild, choices: BuildChoices): Promise<void> {
  const label = `${node.id} (${node.image.name.ref})`;
  await script(s, node, project, 'pre_build_script', label);
  const version = await s.versionOf(project);
  const hold = s.dryRun ? undefined : await holdPipConf(project.rootAbs);
  const unregister = hold ? s.interrupts.onInterrupt(() => hold.release()) : undefined;
  try {
    const common = commandBase(s, node, project, prepared, choices);
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

function commandBase(s: BuildSession, node: ImageNode, project: DockerProject, prepared: PreparedBuild, choices: BuildChoices): Omit<BuildCommand, 'labels'> {
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
    flags: [...prepared.flags, ...choices.layerCache.map((value) => ({ value, shown: value }))],
    noCache: choices.noCache || (isBase ? forcedBase : s.noCache),
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
  const result = await engineOf(env).command(args, { ...(stdin ? { stdin } : {}), dryRun: s.dryRun, prefix: `[${node.id}] `, cwd: s.workspaceRoot, signal: s.interrupts.signal, print: s.print });
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
