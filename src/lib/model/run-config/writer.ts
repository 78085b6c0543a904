/** Adding a section to run.cfg text without disturbing what is there. */
import { DockconvError } from '../../errors';
import { DEFAULT_SECTION, parseConfig, type ConfigSection } from './parser';
import { RUN_CONFIG_FILE } from './reader';

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
