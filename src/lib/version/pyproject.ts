/**
 * Reads the `[tool.versioneer]` table of a `pyproject.toml`: a small TOML subset (bare or quoted
 * keys; basic and literal one-line strings, booleans, integers; comments). That is all a
 * versioneer table holds in practice; anything else inside the table is an error naming the
 * line rather than a silent misread. Other tables are skipped unread.
 */
import { DockconvError } from '../errors';

const HEADER = /^\[\s*(?:tool|"tool")\s*\.\s*(?:versioneer|"versioneer")\s*\]\s*(#.*)?$/;

/** The table's keys (case kept, as tomllib does), or undefined when the file has no such table. */
export function readToolVersioneer(text: string, file: string): Map<string, string> | undefined {
  const lines = text.split(/\r\n|\n/);
  const start = lines.findIndex((l) => HEADER.test(l.trim()));
  if (start < 0) return undefined;
  const table = new Map<string, string>();
  for (let i = start + 1; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    if (line.startsWith('[')) break;
    if (!line || line.startsWith('#')) continue;
    const [key, value] = readPair(line, file, i + 1);
    table.set(key, value);
  }
  return table;
}

function readPair(line: string, file: string, lineNo: number): [string, string] {
  const m = /^("(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_-]+)\s*=\s*(.*)$/.exec(line);
  if (!m) throw new DockconvError(`cannot read '${line}' in [tool.versioneer]`, { file, line: lineNo });
  const key = m[1]?.startsWith('"') || m[1]?.startsWith("'") ? readValue(m[1], file, lineNo) : (m[1] ?? '');
  return [key, readValue(m[2] ?? '', file, lineNo)];
}

/** One value, trailing comment allowed; booleans and integers become their Python str(). */
function readValue(text: string, file: string, line: number): string {
  const basic = /^"((?:[^"\\]|\\.)*)"\s*(#.*)?$/.exec(text);
  if (basic && !text.startsWith('"""')) return unescapeBasic(basic[1] ?? '', file, line);
  const literal = /^'([^']*)'\s*(#.*)?$/.exec(text);
  if (literal && !text.startsWith("'''")) return literal[1] ?? '';
  const bare = /^(true|false|[+-]?\d+)\s*(#.*)?$/.exec(text);
  if (bare) return bare[1] === 'true' ? 'True' : bare[1] === 'false' ? 'False' : String(Number(bare[1]));
  throw new DockconvError(`unsupported value '${text}' in [tool.versioneer]`, {
    file,
    line,
    hint: 'use a one-line string, e.g. tag_prefix = "v"',
  });
}

const ESCAPES: Record<string, string> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', '"': '"', '\\': '\\' };

function unescapeBasic(s: string, file: string, line: number): string {
  return s.replace(/\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)/g, (_w, e: string) => {
    if (e.length > 1) return String.fromCodePoint(parseInt(e.slice(1), 16));
    const c = ESCAPES[e];
    if (c === undefined) throw new DockconvError(`invalid escape '\\${e}' in a TOML string`, { file, line });
    return c;
  });
}
