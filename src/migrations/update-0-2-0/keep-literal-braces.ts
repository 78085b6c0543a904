/**
 * 0.2.0 reads braces in every run.cfg value by one rule: an unknown `{identifier}` is an error and
 * `{{`/`}}` give one brace. 0.1.0 kept both as written outside `volumes`, so this migration
 * rewrites those values (keepBracesAsWritten) to reach the container as they did before.
 *
 * The file is hand-written: the text is rewritten line by line, so that comments, blank lines,
 * key spelling, separators and indentation stay as they are; only value text changes.
 */
import { getProjects, logger, type Tree } from '@nx/devkit';
import { posix } from 'node:path';
import { describeError } from '../../lib/errors';
import { DOCKER_DIR } from '../../lib/model/project';
import { classifySections, parseConfig, RUN_CONFIG_FILES } from '../../lib/model/run-config';
import { DEFAULT_SECTION, PYTHON_WHITESPACE } from '../../lib/model/run-config/parser';
import { takesReplacements, type SectionKind } from '../../lib/model/run-config/schema';
import { keepBracesAsWritten } from '../../lib/text/variables';

const WS = PYTHON_WHITESPACE;
// The parser's grammar, on raw lines: what it strips, skips and splits, kept here as text.
const LEADING_WS = new RegExp(`^[${WS}]*`);
const BLANK = new RegExp(`^[${WS}]*$`);
const COMMENT = new RegExp(`^[${WS}]*[#;]`);
const SECTION_HEADER = new RegExp(`^[${WS}]*\\[(.+)\\]`, 's');
const OPTION = new RegExp(`^([${WS}]*(.*?)[${WS}]*[=:][${WS}]*)(.*)$`, 's');
/** `volumes` always had str.format's braces (`{{` literal, unknown an error): nothing to keep. */
const FORMAT_KEYS = ['volumes', 'volumes_docked'];

export default async function update(tree: Tree): Promise<void> {
  for (const project of getProjects(tree).values()) {
    for (const file of RUN_CONFIG_FILES) {
      const path = posix.join(project.root, file);
      if (tree.exists(path)) migrateFile(tree, path, imageTypes(tree, project.root));
    }
  }
}

/** Folders under docker/ holding a Dockerfile, as the plugin finds them on disk. */
function imageTypes(tree: Tree, root: string): string[] {
  const dir = posix.join(root, DOCKER_DIR);
  return tree.children(dir).filter((name) => tree.exists(posix.join(dir, name, 'Dockerfile')));
}

/** A migration must not stop `nx migrate`: a file it cannot read is named and left alone. */
function migrateFile(tree: Tree, path: string, types: readonly string[]): void {
  try {
    const text = utf8(tree.read(path));
    const kinds = classifySections(parseConfig(text, path), types);
    const { text: rewritten, changed } = rewrite(text, kinds);
    if (changed.length === 0) return;
    tree.write(path, rewritten);
    logger.info(`${path}: braces kept as 0.1.0 read them (line${changed.length > 1 ? 's' : ''} ${changed.join(', ')})`);
  } catch (err) {
    logger.warn(`${path}: left unchanged, it cannot be read: ${describeError(err)}`);
  }
}

/** Decoding must fail on bytes that are not UTF-8: writing U+FFFD back would corrupt the file. */
function utf8(bytes: Buffer | null): string {
  if (!bytes) throw new Error('the file is gone');
  return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
}

interface LineState {
  kinds: Map<string, SectionKind>;
  kind?: SectionKind;
  /** A key's value is open: deeper-indented lines continue it. */
  open: boolean;
  /** Whether the open value (its key line and continuation lines) is rewritten. */
  rewriting: boolean;
  /** The indentation of the last header or key line. */
  indent: number;
}

/** `text` with each value rewritten, and the (1-based) numbers of the lines that changed. */
function rewrite(text: string, kinds: Map<string, SectionKind>): { text: string; changed: number[] } {
  const parts = text.split(/(\r\n|\r|\n)/); // lines at even indexes, their line breaks between
  const state: LineState = { kinds, open: false, rewriting: false, indent: 0 };
  const changed: number[] = [];
  for (let i = 0; i < parts.length; i += 2) {
    const line = parts[i] ?? '';
    // The parser drops a leading BOM; it is no part of the first line's key.
    const bom = i === 0 && line.startsWith('\uFEFF') ? '\uFEFF' : '';
    const next = bom + rewriteLine(state, line.slice(bom.length));
    if (next !== line) changed.push(i / 2 + 1);
    parts[i] = next;
  }
  return { text: parts.join(''), changed };
}

/** One line, following the parser's `readLine`: comments, blank lines, continuations, headers, keys. */
function rewriteLine(state: LineState, line: string): string {
  if (COMMENT.test(line) || BLANK.test(line)) return line; // a blank line keeps a value open
  const indent = LEADING_WS.exec(line)?.[0].length ?? 0;
  if (state.open && indent > state.indent) {
    return state.rewriting ? line.slice(0, indent) + keepBracesAsWritten(line.slice(indent)) : line;
  }
  state.indent = indent;
  const header = SECTION_HEADER.exec(line);
  if (header) {
    openSection(state, header[1] ?? '');
    return line;
  }
  const option = OPTION.exec(line);
  const [, head = '', key = '', value = ''] = option ?? [];
  state.open = true;
  state.rewriting = option !== null && replacedKey(state.kind, key);
  return state.rewriting ? head + keepBracesAsWritten(value) : line;
}

function openSection(state: LineState, name: string): void {
  // [DEFAULT] keys reach image sections by inheritance, so they are read as image keys.
  state.kind = name === DEFAULT_SECTION ? 'image' : state.kinds.get(name);
  state.open = false;
  state.rewriting = false;
}

function replacedKey(kind: SectionKind | undefined, key: string): boolean {
  return kind !== undefined && !FORMAT_KEYS.includes(key) && takesReplacements(kind, key);
}
