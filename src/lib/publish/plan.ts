/**
 * What a publish pushes: for each image, the registry and repository it goes to (from the
 * option, the image's run.cfg section, run.cfg [DEFAULT], the plugin options, in falling
 * priority) and the tags (the version, optionally `latest`, any extra tags). Pure: plain data in,
 * references out; the executor builds, tags and pushes them.
 */
import { DockconvError, type Location } from '../errors';
import { assertValidRepository, assertValidTag, looksLikeHost, normaliseRegistry, sanitizeTag } from '../model/naming';
import type { ImageDef } from '../model/project';
import type { ConfigEntry } from '../model/run-config';

export interface RegistryLayers {
  /** The executor's `registry` option. */
  option?: string;
  /** The image's run.cfg section entry (own or inherited from [DEFAULT]). */
  section?: ConfigEntry;
  /** run.cfg [DEFAULT], for images without a section of their own. */
  defaults?: ConfigEntry;
  /** The plugin option in nx.json. */
  plugin?: string;
  /** The run.cfg file the entries come from, for error locations. */
  file?: string;
}

export interface Destination {
  /** `host[:port]` with an optional namespace path (`ghcr.io/acme`); undefined for none. */
  registry?: string;
  repository: string;
}

/**
 * The registry an image goes to. `registry = none` (or an empty value) in run.cfg or the
 * option means "no registry prefix": the repository is pushed as named.
 */
export function resolveRegistry(layers: RegistryLayers): string | undefined {
  const pick: [string | undefined, Location][] = [
    [layers.option, { file: '--registry' }],
    [layers.section?.value, { file: layers.file, line: layers.section?.line }],
    [layers.defaults?.value, { file: layers.file, line: layers.defaults?.line }],
    [layers.plugin, { file: 'nx.json' }],
  ];
  for (const [value, where] of pick) {
    if (value === undefined) continue;
    return normaliseRegistry(value, where);
  }
  return undefined;
}

/** The repository under the registry: the option, the section's own `repository`, else the local one. */
export function resolveRepository(image: ImageDef, option: string | undefined, file?: string): string {
  if (option !== undefined) return assertValidRepository(option, { file: '--repository' });
  // An inherited [DEFAULT] repository would send every image to one repository: only own keys count.
  const own = image.section?.entries.get('repository');
  if (own && !own.inherited) return assertValidRepository(own.value, { file, line: own.line });
  return image.name.repository;
}

export function remoteRepository(dest: Destination): string {
  return dest.registry ? `${dest.registry}/${dest.repository}` : dest.repository;
}

/** A registry must be named somewhere, unless the repository itself starts with a registry host. */
export function assertHasRegistry(image: ImageDef, dest: Destination): void {
  if (dest.registry || (dest.repository.includes('/') && looksLikeHost(dest.repository.split('/')[0] ?? ''))) return;
  throw new DockconvError(`no registry to publish ${image.name.ref} to`, {
    hint: `set registry in docker/run.cfg [${image.type}] or [DEFAULT], the plugin option registry in nx.json, or --registry`,
  });
}

export interface TagRequest {
  /** The release or git version; made a valid tag (`1.2.0+3.gabc` → `1.2.0-3.gabc`). */
  version: string;
  latest?: boolean;
  extra?: readonly string[];
}

export interface PublishTags {
  tags: string[];
  /** Set when the version had to be changed to be a valid Docker tag. */
  versionTagNote?: string;
}

export function publishTags(req: TagRequest): PublishTags {
  const versionTag = sanitizeTag(req.version);
  const tags = [versionTag, ...(req.latest ? ['latest'] : []), ...(req.extra ?? []).map((t) => assertValidTag(t.trim(), { file: '--tags' }))];
  const note = versionTag !== req.version ? `version ${req.version} is tagged ${versionTag} (Docker tags allow letters, digits, _ . -)` : undefined;
  return { tags: [...new Set(tags)], ...(note ? { versionTagNote: note } : {}) };
}

export interface ImagePublishPlan {
  image: ImageDef;
  /** The local reference the build produced. */
  source: string;
  /** Every reference pushed, in order (the version first). */
  targets: string[];
}

export function planImagePublish(image: ImageDef, dest: Destination, tags: readonly string[]): ImagePublishPlan {
  assertHasRegistry(image, dest);
  const repository = remoteRepository(dest);
  return { image, source: image.name.ref, targets: tags.map((t) => `${repository}:${t}`) };
}

/** Two images of one publish must not overwrite each other's tags. */
export function assertDistinctTargets(plans: readonly ImagePublishPlan[]): void {
  const owner = new Map<string, string>();
  for (const plan of plans) {
    for (const target of plan.targets) {
      const other = owner.get(target);
      if (other && other !== plan.image.type) {
        throw new DockconvError(`images ${other} and ${plan.image.type} would both be pushed as ${target}`, {
          hint: 'give one of them its own repository (run.cfg repository = …)',
        });
      }
      owner.set(target, plan.image.type);
    }
  }
}
