/**
 * What run.cfg sections mean: the keys each kind of section takes, how sections are told apart,
 * and the values read by rules of their own (`prefix`, `<key>_docked`, synthetic_images).
 */
import type { Warning } from '../../errors';
import { booleanOf, PYTHON_WHITESPACE, type ConfigDocument, type ConfigEntry, type ConfigSection } from './parser';

const LIST_SEPARATOR = new RegExp(`[${PYTHON_WHITESPACE},]+`);

export const BUILD_KEYS: readonly string[] = [
  'name', 'tag', 'prefix', 'build_args', 'pull_FROM_on_force', 'pre_build_script', 'post_build_script',
  'secrets', 'ssh', 'platforms',
];
export const RUN_KEYS: readonly string[] = [
  'environment', 'env', 'interactive', 'gpu', 'network', 'volumes', 'ports', 'cmd', 'args',
];
/** Where the image is published (registry host and namespace, repository under it). */
export const PUBLISH_KEYS: readonly string[] = ['registry', 'repository'];
/** `aws_env = false`: do not pass the host's AWS credential variables into the container. */
export const AWS_ENV_KEY = 'aws_env';
const DOCKED_KEYS = RUN_KEYS.map((k) => `${k}_docked`);
const IMAGE_KEYS = [...BUILD_KEYS, ...RUN_KEYS, ...DOCKED_KEYS, ...PUBLISH_KEYS, AWS_ENV_KEY];
// A synthetic image is run, never built: `name`, `tag` and `prefix` choose the image it runs.
const SYNTHETIC_NAMING_KEYS = ['name', 'tag', 'prefix'];
const SYNTHETIC_KEYS = [...SYNTHETIC_NAMING_KEYS, ...RUN_KEYS, ...DOCKED_KEYS, AWS_ENV_KEY];
const RUN_IMAGE_KEYS = ['synthetic_images'];

/** `<key>_docked` when the engine is remote and the section has it, else `<key>`. */
export function runKey(section: ConfigSection, key: string, remote: boolean): ConfigEntry | undefined {
  return (remote ? section.entries.get(`${key}_docked`) : undefined) ?? section.entries.get(key);
}

/** `[run_image] synthetic_images = a, b` (commas and/or whitespace), each named once. */
export function syntheticImages(doc: ConfigDocument): { name: string; line: number }[] {
  const entry = doc.sections.get('run_image')?.entries.get('synthetic_images');
  if (!entry) return [];
  const names = new Set(entry.value.split(LIST_SEPARATOR).filter(Boolean));
  return [...names].map((name) => ({ name, line: entry.line }));
}

/** The values the original dockerutils took as a false `prefix`; it took anything else as true. */
const DOCKERUTILS_FALSE = ['False', 'false', 'F', 'f'];

export interface PrefixReading {
  value: boolean;
  /** Set when the original dockerutils read the value the other way, or it is no boolean. */
  warning?: Warning;
}

/**
 * `prefix`, read so that every file the original accepted means what it meant there: False,
 * false, F and f are false, the usual true words are true. ConfigParser's other false words
 * (no, off, 0, FALSE) are false here, where the original kept the prefix: a warning says so.
 * Anything else kept the prefix in the original and keeps it here, with a warning.
 */
export function readPrefix(entry: ConfigEntry, file: string): PrefixReading {
  if (DOCKERUTILS_FALSE.includes(entry.value)) return { value: false };
  const value = booleanOf(entry.value);
  const where = { file, line: entry.line };
  if (value === true) return { value };
  if (value === false) {
    const message = `prefix = ${entry.value} is read as false (no <project>- prefix); dockerutils kept the prefix for anything but False, false, F or f`;
    return { value, warning: { ...where, message } };
  }
  const message = `prefix = ${entry.value} is no boolean; read as true (the <project>- prefix is kept), as dockerutils did`;
  return { value: true, warning: { ...where, message } };
}

export type SectionKind = 'image' | 'synthetic' | 'config-only' | 'env' | 'run_image' | 'unknown';

/** What each section is for; earlier kinds win when a section could be several. */
export function classifySections(doc: ConfigDocument, imageTypes: readonly string[]): Map<string, SectionKind> {
  const synthetic = new Set(syntheticImages(doc).map((s) => s.name));
  const envNames = new Set<string>();
  for (const section of doc.sections.values()) {
    for (const key of ['env', 'env_docked']) {
      const entry = section.entries.get(key);
      if (entry) envNames.add(entry.value);
    }
  }
  const kinds = new Map<string, SectionKind>();
  for (const section of doc.sections.values()) {
    kinds.set(section.name, kindOf(section, doc.file, imageTypes, synthetic, envNames));
  }
  return kinds;
}

function kindOf(
  section: ConfigSection,
  file: string,
  imageTypes: readonly string[],
  synthetic: Set<string>,
  envNames: Set<string>,
): SectionKind {
  if (section.name === 'run_image') return 'run_image';
  if (imageTypes.includes(section.name)) return 'image';
  if (synthetic.has(section.name)) return 'synthetic';
  if (envNames.has(section.name)) return 'env';
  return isConfigOnly(section, file) ? 'config-only' : 'unknown';
}

/** A section naming an image that is not built here: `name` set and `prefix` false. */
function isConfigOnly(section: ConfigSection, file: string): boolean {
  const prefix = section.entries.get('prefix');
  return section.entries.has('name') && prefix !== undefined && !readPrefix(prefix, file).value;
}

// `env` names a section and `name`, `tag`, `prefix` name an image: no value of theirs is expanded.
const REPLACED_KEYS = new Set([
  'build_args', 'pre_build_script', 'post_build_script',
  ...RUN_KEYS.filter((k) => k !== 'env').flatMap((k) => [k, `${k}_docked`]),
]);

/** Whether the value of `key` in a section of `kind` has its `{name}`s and `$VAR`s replaced. */
export function takesReplacements(kind: SectionKind, key: string): boolean {
  if (kind === 'env') return true; // each key becomes `-e KEY=<value, expanded>`
  return (kind === 'image' || kind === 'synthetic' || kind === 'config-only') && REPLACED_KEYS.has(key);
}

/** The keys each kind of section takes; the other kinds take any key. */
export const KNOWN_KEYS: Partial<Record<SectionKind, readonly string[]>> = {
  image: IMAGE_KEYS,
  'config-only': IMAGE_KEYS,
  synthetic: SYNTHETIC_KEYS,
  run_image: RUN_IMAGE_KEYS,
};
