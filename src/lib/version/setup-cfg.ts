/**
 * One section of a `setup.cfg` as versioneer's `configparser.ConfigParser()` sees it. The
 * grammar (delimiters, comments, continuation lines, [DEFAULT], `%` interpolation, strictness)
 * is our faithful ConfigParser reader's; on top, versioneer's parser lower-cases keys (the
 * default `optionxform`), which run.cfg's reading deliberately does not.
 */
import { DockconvError } from '../errors';
import { parseConfig } from '../model/run-config';

/** The section's options by lower-cased key; undefined when the file lacks the section. */
export function readCfgSection(text: string, file: string, name: string): Map<string, string> | undefined {
  const section = parseConfig(text, file).sections.get(name);
  if (!section) return undefined;
  const out = new Map<string, string>();
  // Own entries come first, then inherited [DEFAULT] ones, which own keys override in any case.
  for (const entry of section.entries.values()) {
    const key = entry.key.toLowerCase();
    if (!out.has(key)) out.set(key, entry.value);
    else if (!entry.inherited) {
      throw new DockconvError(`option '${key}' appears twice in [${name}] (keys are case-insensitive)`, {
        file,
        line: entry.line,
      });
    }
  }
  return out;
}
