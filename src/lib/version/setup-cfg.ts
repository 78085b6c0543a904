/**
 * Reads one section of a `setup.cfg` the way Python's `configparser.ConfigParser()` (what
 * versioneer uses) does: `=` and `:` delimiters, keys case-insensitive (lower-cased), `#`/`;`
 * full-line comments, indented continuation lines, a `[DEFAULT]` section, and on lookup the
 * basic interpolation (`%%` → `%`, `%(key)s`). What ConfigParser rejects is an error here too.
 *
 * Local on purpose: versioneer needs ConfigParser's *default* options (lower-cased keys,
 * interpolation), which differ from run.cfg's reading.
 */
import { DockconvError } from '../errors';

interface Entry {
  values: string[];
  line: number;
}
type Section = Map<string, Entry>;

/** The section's options, interpolated; undefined when the file lacks the section. */
export function readCfgSection(text: string, file: string, name: string): Map<string, string> | undefined {
  const sections = parseCfg(text, file);
  const section = sections.get(name);
  if (!section) return undefined;
  const defaults = sections.get('DEFAULT') ?? new Map<string, Entry>();
  const raw = new Map<string, Entry>([...defaults, ...section]);
  const out = new Map<string, string>();
  for (const [key, entry] of raw) out.set(key, interpolate(key, raw, file, entry.line, 0));
  return out;
}

function parseCfg(text: string, file: string): Map<string, Section> {
  const sections = new Map<string, Section>();
  let current: Section | undefined;
  let option: Entry | undefined;
  let indentLevel = 0;
  text.split(/\r\n|\r|\n/).forEach((line, i) => {
    const lineNo = i + 1;
    const trimmed = line.trim();
    const comment = trimmed.startsWith('#') || trimmed.startsWith(';');
    const value = comment ? '' : trimmed;
    if (!value) {
      // Blank lines may sit inside a multi-line value; a comment line ends it.
      if (!comment && option) option.values.push('');
      else indentLevel = Number.MAX_SAFE_INTEGER;
      return;
    }
    const indent = line.length - line.trimStart().length;
    if (current && option && indent > indentLevel) {
      option.values.push(value);
      return;
    }
    indentLevel = indent;
    const header = /^\[(.+)\]/.exec(value);
    if (header) {
      const name = header[1] ?? '';
      if (sections.has(name)) throw new DockconvError(`section '${name}' appears twice`, { file, line: lineNo });
      current = new Map();
      sections.set(name, current);
      option = undefined;
      return;
    }
    if (!current) throw new DockconvError('a line before the first [section] header', { file, line: lineNo });
    option = readOption(value, current, file, lineNo);
  });
  return sections;
}

function readOption(value: string, section: Section, file: string, line: number): Entry {
  const m = /^(.*?)\s*[=:]\s*(.*)$/.exec(value);
  const key = m?.[1]?.trimEnd().toLowerCase();
  if (!m || !key) throw new DockconvError(`cannot read '${value}' (expected key = value)`, { file, line });
  if (section.has(key)) throw new DockconvError(`option '${key}' appears twice in its section`, { file, line });
  const entry = { values: [m[2] ?? ''], line };
  section.set(key, entry);
  return entry;
}

/** ConfigParser's BasicInterpolation; multi-line values joined with "\n", trailing blank lines dropped. */
function interpolate(key: string, raw: Section, file: string, line: number, depth: number): string {
  const value = (raw.get(key)?.values ?? []).join('\n').trimEnd();
  if (depth > 10) throw new DockconvError(`interpolation of '${key}' is too deep`, { file, line });
  return value.replace(/%(%|\(([^)]*)\)s|.?)/gs, (whole, what: string, ref: string | undefined) => {
    if (what === '%') return '%';
    const name = ref?.toLowerCase();
    if (name === undefined) {
      throw new DockconvError(`'%' must be followed by '%' or '(name)s' in option '${key}', found '${whole}'`, { file, line });
    }
    if (!raw.has(name)) throw new DockconvError(`option '${key}' refers to '%(${ref})s', which is not set`, { file, line });
    return interpolate(name, raw, file, line, depth + 1);
  });
}
