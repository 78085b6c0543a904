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
import type { DockerCommandResult } from '../docker/cli';
import { engineOf } from '../docker/engine';
import { describeError, DockconvError, lastLine } from '../errors';
import type { ImageNode } from '../model/graph';
import type { Arg } from '../text/shown';
import { normaliseRegistry } from '../model/naming';
import { pushedDigest, pushFailure, pushRefused } from '../docker/registry-errors';
import { INPUTS_LABEL } from '../model/build-inputs';
import type { BuildSession } from './session';

export const SHARED_REGISTRY_ENV = 'DOCKCONV_SHARED_REGISTRY';
export const SHARED_PUSH_ENV = 'DOCKCONV_SHARED_PUSH';

/** Whether this machine pushes its builds to the shared registry, and which setting said so. */
export interface SharedPush {
  push: boolean;
  /** The setting that decided, as the user wrote it (`DOCKCONV_SHARED_PUSH=false`). */
  source: string;
}

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

/**
 * Whether builds are pushed for other machines: the `sharedPush` option, else the environment (so
 * CI decides per job: a pull request's job pulls only), else the plugin option; pushing when none
 * says. The same order as the registry itself. An empty variable counts as unset, since CI
 * systems define variables empty where a job does not set them.
 */
export function resolveSharedPush(option: boolean | undefined, env: NodeJS.ProcessEnv, plugin: unknown): SharedPush {
  if (option !== undefined) return { push: option, source: `--sharedPush=${option}` };
  const fromEnv = env[SHARED_PUSH_ENV]?.trim();
  if (fromEnv) {
    const push = BOOLEAN_WORDS.get(fromEnv.toLowerCase());
    if (push === undefined) {
      throw new DockconvError(`${SHARED_PUSH_ENV}=${fromEnv} is neither true nor false`, { hint: `${SHARED_PUSH_ENV}=false makes this machine pull shared builds and push none` });
    }
    return { push, source: `${SHARED_PUSH_ENV}=${fromEnv}` };
  }
  if (plugin === undefined) return { push: true, source: 'default' };
  if (typeof plugin !== 'boolean') throw new DockconvError(`the plugin option sharedPush must be true or false, not ${JSON.stringify(plugin)}`, { file: 'nx.json' });
  return { push: plugin, source: `sharedPush: ${plugin} in nx.json` };
}

const BOOLEAN_WORDS = new Map([
  ['true', true],
  ['1', true],
  ['yes', true],
  ['false', false],
  ['0', false],
  ['no', false],
]);

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

async function pullEach(s: BuildSession, node: ImageNode, remote: string, platforms: readonly string[]) {
  if (platforms.length === 0) return run(s, node, ['pull', '-q', remote]);
  let last = { exitCode: 0, stdout: '', stderr: '' };
  for (const platform of platforms) {
    last = await run(s, node, ['pull', '-q', '--platform', platform, remote]);
    if (last.exitCode !== 0) break;
  }
  return last;
}

/**
 * Pulls the image another machine built from these inputs and tags it at the node's reference.
 * Returns its ID, or undefined when the registry has none (or no usable one): then build.
 */
export async function pullShared(s: BuildSession, node: ImageNode, digest: string, platforms: readonly string[] = []): Promise<string | undefined> {
  const registry = s.sharedRegistry;
  if (!registry || s.builtHereOnly) return undefined;
  const { ref, repository } = node.image.name;
  const remote = sharedRef(registry, repository, digest);
  // A pull fetches one platform (the engine's, unless named); an image of several needs each.
  const pulled = await pullEach(s, node, remote, platforms);
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

/**
 * Says once per Nx invocation (not once per image or task) that this machine only pulls, and
 * which setting made it so: a pull request's job should show that it cannot write to the registry.
 */
export function announceSharing(s: BuildSession): void {
  const registry = s.sharedRegistry;
  if (!registry || s.builtHereOnly || s.sharedPush?.push !== false) return;
  if (s.marks.claim(`pull-only ${registry}`)) {
    s.print(`shared builds: pull-only (${s.sharedPush.source}): images are pulled from ${registry} when built elsewhere from the same inputs; nothing built here is pushed there`);
  }
}

const refusedKey = (registry: string) => `push refused ${registry}`;

/**
 * Pushes a fresh build for other machines: by its inputs digest, and as the layer cache of its
 * reference. A registry that refuses this machine's credentials refuses every image alike: that
 * is one warning for the whole invocation, and no more pushes are tried in it.
 */
export async function pushShared(s: BuildSession, node: ImageNode, digest: string): Promise<void> {
  const registry = s.sharedRegistry;
  if (!registry || s.sharedPush?.push === false || s.marks.has(refusedKey(registry))) return;
  const { ref, repository } = node.image.name;
  for (const remote of [sharedRef(registry, repository, digest), layerCacheRef(registry, ref)]) {
    const tagged = await run(s, node, ['tag', ref, remote]);
    if (tagged.exitCode !== 0) return warn(s, node, `cannot tag ${remote}: ${lastLine(tagged.stderr) ?? 'no answer'}`);
    try {
      const pushed = await run(s, node, ['push', remote]);
      if (pushed.exitCode !== 0) {
        const failure = describeError(pushFailure(remote, pushed.stderr, pushed.exitCode, s.env));
        if (!pushRefused(pushed.stderr)) return warn(s, node, `not shared: ${failure}`);
        if (s.marks.claim(refusedKey(registry))) {
          warn(s, node, `not shared: ${failure}; no more pushes to ${registry} in this run (a machine meant only to pull: ${SHARED_PUSH_ENV}=false)`);
        }
        return;
      }
      const at = pushedDigest(pushed.stdout);
      if (at) s.print(`[${node.id}] shared as ${remote}@${at}`);
    } finally {
      await run(s, node, ['image', 'rm', remote]);
    }
  }
}

function run(s: BuildSession, node: ImageNode, args: Arg[]): Promise<DockerCommandResult> {
  return engineOf(s.env).command(args, { dryRun: s.dryRun, cwd: s.workspaceRoot, print: s.print, prefix: `[${node.id}] `, captureStderr: true, signal: s.interrupts.signal });
}

function warn(s: BuildSession, node: ImageNode, message: string): void {
  s.print(`[${node.id}] warning: ${message}`);
}
