/**
 * Reads `tool.versioneer` from a `pyproject.toml` with a full TOML parser, so that every
 * spelling Python's `tomllib` accepts (a `[tool.versioneer]` table, `versioneer = {…}` under
 * `[tool]`, dotted keys) reaches versioneer's settings here too.
 */
import { createRequire } from 'node:module';
import type * as SmolToml from 'smol-toml' with { 'resolution-mode': 'import' };
import { DockconvError } from '../errors';

// smol-toml is typed as an ES module but ships a CommonJS build too, which this package loads.
const { parse, TomlError } = createRequire(__filename)('smol-toml') as typeof SmolToml;

/**
 * The table's values as versioneer sees them after `str()` (case of keys kept, as tomllib keeps
 * it), or undefined when the file has no such table.
 */
export function readToolVersioneer(text: string, file: string): Map<string, string> | undefined {
  const tool = parseToml(text, file)['tool'];
  const table = isTable(tool) ? tool['versioneer'] : undefined;
  if (table === undefined) return undefined;
  if (!isTable(table)) throw new DockconvError('tool.versioneer is not a table', { file });
  return new Map(Object.entries(table).map(([key, value]) => [key, asPythonStr(key, value, file)]));
}

function parseToml(text: string, file: string): SmolToml.TomlTable {
  try {
    // Integers as bigint: a float such as 1.0 must not pass for the integer 1.
    return parse(text, { integersAsBigInt: true });
  } catch (err) {
    if (!(err instanceof TomlError)) throw err;
    const message = (err.message.split('\n')[0] ?? '').replace(/^Invalid TOML document: /, '');
    throw new DockconvError(`invalid TOML: ${message}`, { file, line: err.line });
  }
}

function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** Strings, booleans and integers, each as Python's str() writes it; anything else is refused. */
function asPythonStr(key: string, value: unknown, file: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'bigint') return String(value);
  throw new DockconvError(`unsupported value for '${key}' in [tool.versioneer]`, {
    file,
    hint: 'use a string, e.g. tag_prefix = "v"',
  });
}
