/**
 * Which platforms an image is built for, and whether this engine and builder can make it. Set by
 * run.cfg `platforms` (inherited from [DEFAULT] like every build key) or the `platforms` option;
 * an image without either builds for the platforms of the workspace image it derives from, so a
 * multi-platform base gives multi-platform derived images. None anywhere: the engine's own, and
 * no `--platform` flag at all (what every build did before).
 */
import { DockconvError } from '../errors';
import type { ImageGraph, ImageNode } from '../model/graph';
import { enginePlatform, formatPlatform, parsePlatform, parsePlatforms, samePlatform } from '../model/platform';
import type { ConfigEntry } from '../model/run-config';
import type { Builder, EngineFacts } from '../docker/engine';

/** Where an image's `platforms` key is, if it has one (see projectWideBuildKey). */
export type PlatformsEntry = (node: ImageNode) => { entry: ConfigEntry; file?: string } | undefined;

/** The option's platforms, else the image's own run.cfg key, else its workspace parent's. */
export function platformsOf(graph: ImageGraph, node: ImageNode, option: readonly string[] | undefined, entryOf: PlatformsEntry, seen = new Set<string>()): string[] {
  if (option && option.length > 0) return [...option];
  const own = entryOf(node);
  if (own) return parsePlatforms(own.entry.value, { file: own.file, line: own.entry.line });
  seen.add(node.id);
  for (const id of node.parents) {
    const parent = graph.get(id);
    if (!parent || seen.has(id)) continue;
    const inherited = platformsOf(graph, parent, undefined, entryOf, seen);
    if (inherited.length > 0) return inherited;
  }
  return [];
}

/**
 * `--platform` for these platforms, or an error saying what is needed. Several make one
 * multi-platform image, which only BuildKit builds and only the containerd image store holds.
 * The legacy builder takes `--platform` but builds on whatever local image a FROM names (seen on
 * Engine 20.10: an "arm64" build of an amd64 base gives an amd64 image), so it builds only the
 * engine's own platform. `facts` is undefined in a dry run that reached no engine.
 */
export function platformFlags(platforms: readonly string[], builder: Builder, facts: EngineFacts | undefined, label: string): string[] {
  if (platforms.length === 0) return [];
  const list = platforms.join(',');
  if (facts && platforms.length > 1 && (builder === 'legacy' || facts.store === 'classic')) {
    throw new DockconvError(`${label} is built for ${list}: one image of several platforms needs BuildKit and the containerd image store, and this is ${builder === 'legacy' ? 'the legacy builder' : 'BuildKit with the classic image store'}`, {
      hint: 'install the buildx plugin and turn on the containerd image store ("features": {"containerd-snapshotter": true} in daemon.json), or build one platform',
    });
  }
  const own = facts && enginePlatform({ OSType: facts.os, Architecture: facts.architecture });
  if (own && builder === 'legacy' && !platforms.every((p) => samePlatform(parsePlatform(p), own))) {
    throw new DockconvError(`${label} is built for ${list}, not this engine's ${formatPlatform(own)}: the legacy builder would build on the local ${formatPlatform(own)} images and label the result otherwise`, {
      hint: 'install the buildx plugin (Debian: docker-buildx): BuildKit builds for other platforms',
    });
  }
  return ['--platform', list];
}
