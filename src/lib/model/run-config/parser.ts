/**
 * A reader faithful to Python's `configparser.ConfigParser()` as the original tool used it
 * (BasicInterpolation, `optionxform = str`, strict, no valueless keys, no inline comments).
 *
 * Why the parser is our own: `ini` turns an indented continuation line into a key of its own,
 * reads `key: value` as a boolean key named `key: value`, drops an inline `; …` that ConfigParser
 * keeps and leaves `%%` as is; `ini.encode` JSON-quotes values holding `=` (every `-e A=1`) and
 * writes `;` as `\;`, which ConfigParser reads literally. The `configparser` npm package (0.3.x)
 * has no continuation lines, no [DEFAULT], no `%%`, silently replaces duplicate sections and keys
 * and turns a missing `%(key)s` into the text "undefined". Python's `_read` is small enough to
 * mirror line for line, which is what this file does; the specs check it against real Python.
 */
import { DockconvError } from '../../errors';

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
export const PYTHON_WHITESPACE = '\\t\\n\\v\\f\\r \\x1c-\\x1f\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const WS = PYTHON_WHITESPACE;
const STRIP = new RegExp(`^[${WS}]+|[${WS}]+$`, 'g');
const RSTRIP = new RegExp(`[${WS}]+$`);
const NON_WS = new RegExp(`[^${WS}]`);
// configparser's SECTCRE and OPTCRE: `.match` anchors at the start only, so `[a] x` is section
// `a`; the key is the text before the first `=` or `:`.
const SECTION_HEADER = /^\[(.+)\]/s;
const OPTION = new RegExp(`^(.*?)[${WS}]*[=:][${WS}]*(.*)$`, 's');
const KEY_REFERENCE = /^%\(([^)]+)\)s/;
const MAX_INTERPOLATION_DEPTH = 10;
export const DEFAULT_SECTION = 'DEFAULT';

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

const BOOLEANS = new Map([
  ...['1', 'yes', 'true', 'on'].map((s) => [s, true] as const),
  ...['0', 'no', 'false', 'off'].map((s) => [s, false] as const),
]);

/** What ConfigParser's `getboolean` makes of a value, or undefined where it would raise. */
export function booleanOf(value: string): boolean | undefined {
  return BOOLEANS.get(value.toLowerCase());
}

/** ConfigParser's `getboolean`. */
export function parseBoolean(entry: ConfigEntry, file: string): boolean {
  const value = booleanOf(entry.value);
  if (value === undefined) {
    throw new DockconvError(`'${entry.key}' must be a boolean, not '${entry.value}'`, {
      file,
      line: entry.line,
      hint: 'use yes/no, true/false, on/off or 1/0',
    });
  }
  return value;
}
