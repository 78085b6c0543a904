/**
 * Builds shared between machines through a registry. After a build, the image is pushed under a
 * tag named by its inputs digest; a machine that computes the same digest (same files, options,
 * reference and parent image IDs) pulls that exact image instead of building it. The pulled
 * image's inputs label is checked against the digest computed here before it is tagged, so what
 * arrives is what a build here would have produced from the same inputs.
 *
 * The registry is a convenience, never a requirement: a registry that cannot be reached or
 * refuses a push costs a warning and a local build, not a failed task.
 */
import { docker, type DockerCommandResult } from '../docker/cli';
import { describeError, lastLine } from '../errors';
import type { ImageNode } from '../graph';
import type { Arg } from '../shown';
import { normaliseRegistry } from '../publish/plan';
import { pushedDigest, pushFailure } from '../publish/push-errors';
import { INPUTS_LABEL } from './inputs';
import type { BuildSession } from './session';

export const SHARED_REGISTRY_ENV = 'DOCKCONV_SHARED_REGISTRY';

/**
 * The registry builds are shared through: the `sharedRegistry` option, else the environment
 * (so CI agents can share while developers' machines do not), else the plugin option. `none` or
 * an empty value at a higher level turns sharing off.
 */
export function resolveSharedRegistry(option: string | undefined, env: NodeJS.ProcessEnv, plugin: string | undefined): string | undefined {
  if (option !== undefined) return normaliseRegistry(option, { file: '--sharedRegistry' });
  const fromEnv = env[SHARED_REGISTRY_ENV];
  if (fromEnv !== undefined) return normaliseRegistry(fromEnv, { file: SHARED_REGISTRY_ENV });
  return plugin === undefined ? undefined : normaliseRegistry(plugin, { file: 'nx.json' });
}

/** `<registry>/<repository>:inputs-<hex>`: one tag per exact set of inputs. */
export function sharedRef(registry: string, repository: string, digest: string): string {
  return `${registry}/${repository}:inputs-${digest.replace(/^sha256:/, '')}`;
}

/**
 * Where BuildKit finds and leaves layer cache for an image: the last shared build of its
 * reference (pushed with its cache inline), so a build whose inputs changed reuses the
 * unchanged steps another machine already ran.
 */
export function layerCacheRef(registry: string, ref: string): string {
  return `${registry}/${ref}`;
}

/** BuildKit flags for the layer cache; the legacy builder can only use images already local. */
export function layerCacheFlags(registry: string | undefined, ref: string, builder: 'buildkit' | 'legacy'): string[] {
  if (!registry || builder !== 'buildkit') return [];
  return ['--cache-from', `type=registry,ref=${layerCacheRef(registry, ref)}`, '--cache-to', 'type=inline'];
}

/**
 * Pulls the image another machine built from these inputs and tags it at the node's reference.
 * Returns its ID, or undefined when the registry has none (or no usable one): then build.
 */
export async function pullShared(s: BuildSession, node: ImageNode, digest: string): Promise<string | undefined> {
  const registry = s.sharedRegistry;
  if (!registry) return undefined;
  const { ref, repository } = node.image.name;
  const remote = sharedRef(registry, repository, digest);
  const pulled = await run(s, node, ['pull', '-q', remote]);
  if (s.dryRun) return undefined;
  if (pulled.exitCode !== 0) {
    if (!/manifest unknown|not found/i.test(pulled.stderr)) warn(s, node, `cannot pull from ${registry}: ${lastLine(pulled.stderr) ?? 'no answer'}; building here`);
    return undefined;
  }
  const image = await s.inspect(remote);
  s.forgetInspections();
  if (image?.labels[INPUTS_LABEL] !== digest) {
    warn(s, node, `${remote} was not built from these inputs; building here`);
    await run(s, node, ['image', 'rm', remote]);
    return undefined;
  }
  const tagged = await run(s, node, ['tag', remote, ref]);
  await run(s, node, ['image', 'rm', remote]);
  s.forgetInspections();
  if (tagged.exitCode !== 0) return undefined;
  s.print(`[${node.id}] ${ref} pulled from ${registry} (${image.id.slice(0, 19)}), built elsewhere from the same inputs`);
  return image.id;
}

/** Pushes a fresh build for other machines: by its inputs digest, and as the layer cache of its reference. */
export async function pushShared(s: BuildSession, node: ImageNode, digest: string): Promise<void> {
  const registry = s.sharedRegistry;
  if (!registry) return;
  const { ref, repository } = node.image.name;
  for (const remote of [sharedRef(registry, repository, digest), layerCacheRef(registry, ref)]) {
    const tagged = await run(s, node, ['tag', ref, remote]);
    if (tagged.exitCode !== 0) return warn(s, node, `cannot tag ${remote}: ${lastLine(tagged.stderr) ?? 'no answer'}`);
    try {
      const pushed = await run(s, node, ['push', remote]);
      if (pushed.exitCode !== 0) return warn(s, node, `not shared: ${describeError(pushFailure(remote, pushed.stderr, pushed.exitCode, s.env))}`);
      const at = pushedDigest(pushed.stdout);
      if (at) s.print(`[${node.id}] shared as ${remote}@${at}`);
    } finally {
      await run(s, node, ['image', 'rm', remote]);
    }
  }
}

function run(s: BuildSession, node: ImageNode, args: Arg[]): Promise<DockerCommandResult> {
  return docker(args, { dryRun: s.dryRun, env: s.env, cwd: s.workspaceRoot, print: s.print, prefix: `[${node.id}] `, captureStderr: true, signal: s.interrupts.signal });
}

function warn(s: BuildSession, node: ImageNode, message: string): void {
  s.print(`[${node.id}] warning: ${message}`);
}
