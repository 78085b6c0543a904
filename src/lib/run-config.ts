/**
 * `docker/run.cfg`: a reader faithful to Python's `configparser.ConfigParser()` as the
 * original tool used it (BasicInterpolation, `optionxform = str`, strict, no valueless keys, no
 * inline comments), plus the run.cfg conventions built on it (section kinds, key warnings).
 *
 * Why the parser is our own: `ini` turns an indented continuation line into a key of its own,
 * reads `key: value` as a boolean key named `key: value`, drops an inline `; …` that ConfigParser
 * keeps and leaves `%%` as is; `ini.encode` JSON-quotes values holding `=` (every `-e A=1`) and
 * writes `;` as `\;`, which ConfigParser reads literally. The `configparser` npm package (0.3.x)
 * has no continuation lines, no [DEFAULT], no `%%`, silently replaces duplicate sections and keys
 * and turns a missing `%(key)s` into the text "undefined". Python's `_read` is small enough to
 * mirror line for line, which is what this file does; the specs check it against real Python.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DockconvError, type Warning } from './errors';

export interface ConfigEntry {
  key: string;
  /** The value after `%` interpolation. */
  value: string;
  line: number;
  /** Set when the entry comes from [DEFAULT] rather than the section itself. */
  inherited?: boolean;
}

/** Own entries in file order, then the [DEFAULT] entries the section does not override. */
export interface ConfigSection {
  name: string;
  line: number;
  entries: Map<string, ConfigEntry>;
}

/** Sections in file order; [DEFAULT] itself is not among them (its entries are inherited). */
export interface ConfigDocument {
  file: string;
  sections: Map<string, ConfigSection>;
  /**
   * A [DEFAULT] entry, for images that have no section to inherit it. Interpolated when read, as
   * ConfigParser does: a bad `%(…)s` elsewhere in [DEFAULT] is no error until that key is read.
   */
  defaultEntry?: (key: string) => ConfigEntry | undefined;
}

// Python's str.isspace() set, which str.strip() and the regex `\s` of configparser use. JS `\s`
// differs (it lacks \x1c-\x1f and \x85, and has \ufeff), so it is spelled out.
const WS = '\\t\\n\\v\\f\\r \\x1c-\\x1f\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const STRIP = new RegExp(`^[${WS}]+|[${WS}]+$`, 'g');
const RSTRIP = new RegExp(`[${WS}]+$`);
const NON_WS = new RegExp(`[^${WS}]`);
const LIST_SEPARATOR = new RegExp(`[${WS},]+`);
// configparser's SECTCRE and OPTCRE: `.match` anchors at the start only, so `[a] x` is section
// `a`; the key is the text before the first `=` or `:`.
const SECTION_HEADER = /^\[(.+)\]/s;
const OPTION = new RegExp(`^(.*?)[${WS}]*[=:][${WS}]*(.*)$`, 's');
const KEY_REFERENCE = /^%\(([^)]+)\)s/;
const MAX_INTERPOLATION_DEPTH = 10;
const DEFAULT_SECTION = 'DEFAULT';

const pyStrip = (s: string): string => s.replace(STRIP, '');

interface RawEntry {
  key: string;
  lines: string[];
  line: number;
}

interface RawSection {
  name: string;
  line: number;
  entries: Map<string, RawEntry>;
}

interface ReadState {
  file: string;
  defaults: RawSection;
  sections: Map<string, RawSection>;
  section?: RawSection;
  option?: RawEntry;
  indent: number;
}

/** Reads ConfigParser text; every fault Python would raise is a DockconvError with file and line. */
export function parseConfig(text: string, file: string): ConfigDocument {
  const state: ReadState = {
    file,
    defaults: { name: DEFAULT_SECTION, line: 0, entries: new Map() },
    sections: new Map(),
    indent: 0,
  };
  // A leading BOM is dropped (as Python's utf-8-sig does) rather than failing the first header.
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/); // Python's universal newlines
  lines.forEach((line, i) => readLine(state, line, i + 1));
  const sections = new Map<string, ConfigSection>();
  for (const raw of state.sections.values()) {
    sections.set(raw.name, resolveSection(raw, state.defaults, file));
  }
  return { file, sections, defaultEntry: defaultEntryReader(state.defaults, file) };
}

/** One iteration of configparser's `_read` loop. */
function readLine(state: ReadState, line: string, lineNo: number): void {
  const value = pyStrip(line);
  // Whole-line comments are skipped wherever they are, even indented inside a multi-line value.
  if (value.startsWith('#') || value.startsWith(';')) return;
  if (!value) {
    state.option?.lines.push(''); // empty_lines_in_values: kept, trailing ones dropped at the end
    return;
  }
  const indent = line.search(NON_WS);
  if (state.option && indent > state.indent) {
    state.option.lines.push(value);
    return;
  }
  state.indent = indent;
  const header = SECTION_HEADER.exec(value);
  if (header) openSection(state, header[1], lineNo);
  else openOption(state, value, lineNo);
}

function openSection(state: ReadState, name: string, lineNo: number): void {
  state.option = undefined;
  if (name === DEFAULT_SECTION) {
    // Python lets [DEFAULT] reopen; a key repeated in it is still a duplicate.
    state.section = state.defaults;
    return;
  }
  const previous = state.sections.get(name);
  if (previous) {
    throw new DockconvError(`section [${name}] appears twice (first at line ${previous.line})`, {
      file: state.file,
      line: lineNo,
    });
  }
  state.section = { name, line: lineNo, entries: new Map() };
  state.sections.set(name, state.section);
}

function openOption(state: ReadState, text: string, lineNo: number): void {
  const where = { file: state.file, line: lineNo };
  if (!state.section) {
    throw new DockconvError(`'${text}' comes before any [section] header`, where);
  }
  const match = OPTION.exec(text);
  if (!match) {
    throw new DockconvError(`cannot read '${text}': not 'key = value', 'key: value', a [section] or a comment`, {
      ...where,
      hint: 'a key needs a value; a continuation line must be indented deeper than its key',
    });
  }
  const key = match[1];
  if (!key) throw new DockconvError(`'${text}' has no key before its '=' or ':'`, where);
  const previous = state.section.entries.get(key);
  if (previous) {
    const message = `key '${key}' appears twice in [${state.section.name}] (first at line ${previous.line})`;
    throw new DockconvError(message, where);
  }
  state.option = { key, lines: [pyStrip(match[2])], line: lineNo };
  state.section.entries.set(key, state.option);
}

/** Python joins a value's lines with `\n` and right-strips the result (`_join_multiline_values`). */
const rawValue = (entry: RawEntry): string => entry.lines.join('\n').replace(RSTRIP, '');

interface InterpolationContext {
  file: string;
  section: string;
  entry: RawEntry;
  values: Map<string, string>;
}

/** Interpolates each value in the section's context, as ConfigParser's `get` does. */
function resolveSection(raw: RawSection, defaults: RawSection, file: string): ConfigSection {
  const merged: [RawEntry, boolean][] = [...raw.entries.values()].map((e) => [e, false]);
  for (const entry of defaults.entries.values()) if (!raw.entries.has(entry.key)) merged.push([entry, true]);
  const values = new Map(merged.map(([e]) => [e.key, rawValue(e)]));
  const entries = new Map<string, ConfigEntry>();
  for (const [entry, inherited] of merged) {
    const ctx: InterpolationContext = { file, section: raw.name, entry, values };
    const value = interpolate(rawValue(entry), ctx, 1);
    entries.set(entry.key, { key: entry.key, value, line: entry.line, ...(inherited && { inherited }) });
  }
  return { name: raw.name, line: raw.line, entries };
}

function defaultEntryReader(defaults: RawSection, file: string): (key: string) => ConfigEntry | undefined {
  return (key) => {
    const entry = defaults.entries.get(key);
    if (!entry) return undefined;
    const values = new Map([...defaults.entries.values()].map((e) => [e.key, rawValue(e)]));
    const ctx: InterpolationContext = { file, section: DEFAULT_SECTION, entry, values };
    return { key, value: interpolate(rawValue(entry), ctx, 1), line: entry.line };
  };
}

/** BasicInterpolation's `_interpolate_some`: `%%` → `%`, `%(key)s` → that key's value. */
function interpolate(text: string, ctx: InterpolationContext, depth: number): string {
  if (depth > MAX_INTERPOLATION_DEPTH) throw interpolationError(ctx, 'nests %(…)s deeper than 10 levels (a loop?)');
  let out = '';
  let rest = text;
  for (let p = rest.indexOf('%'); p >= 0; p = rest.indexOf('%')) {
    out += rest.slice(0, p);
    rest = rest.slice(p);
    if (rest[1] === '%') {
      out += '%';
      rest = rest.slice(2);
      continue;
    }
    const ref = rest[1] === '(' ? KEY_REFERENCE.exec(rest) : null;
    if (!ref) throw interpolationError(ctx, `has a '%' not followed by '%' or '(key)s': '${rest}'`);
    const value = ctx.values.get(ref[1]);
    if (value === undefined) {
      throw interpolationError(ctx, `refers to %(${ref[1]})s, which is no key of [${ctx.section}] or [DEFAULT]`);
    }
    out += value.includes('%') ? interpolate(value, ctx, depth + 1) : value;
    rest = rest.slice(ref[0].length);
  }
  return out + rest;
}

function interpolationError(ctx: InterpolationContext, problem: string): DockconvError {
  return new DockconvError(`value of '${ctx.entry.key}' in [${ctx.section}] ${problem}`, {
    file: ctx.file,
    line: ctx.entry.line,
    hint: 'write %% for a literal %',
  });
}

export const RUN_CONFIG_FILE = 'docker/run.cfg';
export const LEGACY_RUN_CONFIG_FILE = 'docker/dockerutils.cfg';

/** The project's run.cfg (absolute path), under either name; both at once is ambiguous. */
export function findRunConfigFile(projectRootAbs: string): string | undefined {
  const current = join(projectRootAbs, RUN_CONFIG_FILE);
  const legacy = join(projectRootAbs, LEGACY_RUN_CONFIG_FILE);
  if (existsSync(current) && existsSync(legacy)) {
    throw new DockconvError(`both ${RUN_CONFIG_FILE} and ${LEGACY_RUN_CONFIG_FILE} exist`, {
      file: legacy,
      hint: `keep one: ${LEGACY_RUN_CONFIG_FILE} and ${RUN_CONFIG_FILE} are two names of one file`,
    });
  }
  if (existsSync(current)) return current;
  return existsSync(legacy) ? legacy : undefined;
}

export interface RunConfig {
  file?: string;
  doc: ConfigDocument;
  warnings: Warning[];
}

/** Reads and checks the project's run.cfg; a project without one gets an empty document. */
export function readRunConfig(projectRootAbs: string, imageTypes: readonly string[]): RunConfig {
  const file = findRunConfigFile(projectRootAbs);
  if (!file) return { doc: { file: join(projectRootAbs, RUN_CONFIG_FILE), sections: new Map() }, warnings: [] };
  const doc = parseConfig(readUtf8(file), file);
  // dockerutils.cfg needs no rename: both names are read the same, and projects moving over from
  // dockerutils keep theirs (the name also tells which era's GPU environment a project expects).
  return { file, doc, warnings: sectionWarnings(doc, imageTypes) };
}

/** Python would fail on bytes that are not UTF-8; Node would silently put U+FFFD in their place. */
function readUtf8(file: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(readFileSync(file));
  } catch (err) {
    if (!(err instanceof TypeError)) throw err;
    throw new DockconvError('is not valid UTF-8 text', { file });
  }
}

export const BUILD_KEYS: readonly string[] = [
  'name', 'tag', 'prefix', 'build_args', 'pull_FROM_on_force', 'pre_build_script', 'post_build_script',
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

const BOOLEANS = new Map([
  ...['1', 'yes', 'true', 'on'].map((s) => [s, true] as const),
  ...['0', 'no', 'false', 'off'].map((s) => [s, false] as const),
]);

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
  const value = BOOLEANS.get(entry.value.toLowerCase());
  const where = { file, line: entry.line };
  if (value === true) return { value };
  if (value === false) {
    const message = `prefix = ${entry.value} is read as false (no <project>- prefix); dockerutils kept the prefix for anything but False, false, F or f`;
    return { value, warning: { ...where, message } };
  }
  const message = `prefix = ${entry.value} is no boolean; read as true (the <project>- prefix is kept), as dockerutils did`;
  return { value: true, warning: { ...where, message } };
}

/** ConfigParser's `getboolean`. */
export function parseBoolean(entry: ConfigEntry, file: string): boolean {
  const value = BOOLEANS.get(entry.value.toLowerCase());
  if (value === undefined) {
    throw new DockconvError(`'${entry.key}' must be a boolean, not '${entry.value}'`, {
      file,
      line: entry.line,
      hint: 'use yes/no, true/false, on/off or 1/0',
    });
  }
  return value;
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

const KNOWN_KEYS: Partial<Record<SectionKind, readonly string[]>> = {
  image: IMAGE_KEYS,
  'config-only': IMAGE_KEYS,
  synthetic: SYNTHETIC_KEYS,
  run_image: RUN_IMAGE_KEYS,
};

function sectionWarnings(doc: ConfigDocument, imageTypes: readonly string[]): Warning[] {
  const warnings: Warning[] = [];
  const kinds = classifySections(doc, imageTypes);
  for (const section of doc.sections.values()) {
    const kind = kinds.get(section.name) ?? 'unknown';
    if (kind === 'unknown') warnings.push(unknownSectionWarning(section, doc.file, imageTypes));
    const prefix = section.entries.get('prefix');
    const reading = prefix && !prefix.inherited ? readPrefix(prefix, doc.file).warning : undefined;
    if (reading) warnings.push(reading);
    const known = KNOWN_KEYS[kind];
    if (!known) continue;
    // [DEFAULT] keys are inherited everywhere, mostly as %(…)s helpers: only own keys are checked.
    for (const entry of section.entries.values()) {
      if (entry.inherited || known.includes(entry.key)) continue;
      warnings.push(unknownKeyWarning(entry, section, kind, known, doc.file));
    }
  }
  return warnings;
}

function unknownKeyWarning(
  entry: ConfigEntry,
  section: ConfigSection,
  kind: SectionKind,
  known: readonly string[],
  file: string,
): Warning {
  if (kind === 'synthetic' && BUILD_KEYS.includes(entry.key)) {
    const message = `build key '${entry.key}' has no effect in [${section.name}]: a synthetic image is not built`;
    return { file, line: entry.line, message };
  }
  const suggestion = closestKey(entry.key, known);
  const hint = suggestion ? `; did you mean '${suggestion}'?` : '';
  return { file, line: entry.line, message: `unknown key '${entry.key}' in [${section.name}]${hint}` };
}

function unknownSectionWarning(section: ConfigSection, file: string, imageTypes: readonly string[]): Warning {
  const suggestion = closestKey(section.name, imageTypes);
  const hint = suggestion ? `; did you mean [${suggestion}]?` : '';
  return {
    file,
    line: section.line,
    message:
      `section [${section.name}] is unused: no docker/${section.name}/Dockerfile, not a synthetic image of [run_image], ` +
      `not named by an env key, not a configuration-only image (name and prefix = false)${hint}`,
  };
}

/** The known key nearest to a misspelt one, if it is near enough to be a plausible typo. */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(key.length / 3)) + 1;
  for (const candidate of known) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best;
}

/** Edit distance counting a swap of two neighbours as one edit (`tga` → `tag`), the commonest typo. */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      const swapped = i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1];
      if (swapped) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/**
 * `existingText` with `[name]` and its entries added at the end; the existing bytes are kept as
 * they are (comments included), with at most a newline and a blank line added before the section.
 * Values are written so that ConfigParser reads them back unchanged (`%` doubled, extra lines as
 * indented continuations), which is checked by reading the result back.
 */
export function appendSection(existingText: string, name: string, entries: readonly [string, string][]): string {
  const existing = parseConfig(existingText, RUN_CONFIG_FILE).sections.get(name);
  if (existing || name === DEFAULT_SECTION) {
    throw new DockconvError(`section [${name}] already exists`, { file: RUN_CONFIG_FILE, line: existing?.line });
  }
  const eol = existingText.includes('\r\n') ? '\r\n' : '\n';
  const lines = [`[${name}]`, ...entries.map(([key, value]) => renderEntry(key, value, eol))];
  const result = separated(existingText, eol) + lines.join(eol) + eol;
  checkReadsBack(result, name, entries);
  return result;
}

function renderEntry(key: string, value: string, eol: string): string {
  const [first, ...more] = value.replace(/%/g, '%%').split('\n');
  const head = first ? `${key} = ${first}` : `${key} =`;
  return [head, ...more.map((line) => (line ? `    ${line}` : ''))].join(eol);
}

/** The existing text ended by a newline and a blank line, unless it is empty. */
function separated(text: string, eol: string): string {
  if (!text) return '';
  const ended = /[\r\n]$/.test(text) ? text : text + eol;
  const body = ended.replace(/(\r\n|\r|\n)$/, '');
  return !body || /[\r\n]$/.test(body) ? ended : ended + eol;
}

const CANNOT_WRITE_HINT = 'a key has no =, : or line break and does not start with #, ; or [; '
  + 'value lines have no leading or trailing spaces and do not start with # or ;';

function checkReadsBack(text: string, name: string, entries: readonly [string, string][]): void {
  const keys = entries.map(([key]) => key);
  const repeated = keys.find((key, i) => keys.indexOf(key) !== i);
  if (repeated !== undefined) throw new DockconvError(`key '${repeated}' given twice for [${name}]`);
  let section: ConfigSection | undefined;
  try {
    section = parseConfig(text, RUN_CONFIG_FILE).sections.get(name);
  } catch (err) {
    throw new DockconvError(`cannot add [${name}]: ${(err as Error).message}`, { hint: CANNOT_WRITE_HINT });
  }
  for (const [key, value] of entries) {
    const entry = section?.entries.get(key);
    if (!entry || entry.inherited || entry.value !== value) {
      const message = `cannot write ${key} = ${JSON.stringify(value)} in [${name}] so that it reads back unchanged`;
      throw new DockconvError(message, { hint: CANNOT_WRITE_HINT });
    }
  }
}
