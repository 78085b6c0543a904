/**
 * Splits a run.cfg value (a run key, `build_args`) or an option into words the way a POSIX shell
 * would (quotes, backslashes), without ever running a shell: the one splitter for every such
 * value. Each word remembers which characters were single-quoted or escaped, so `expand()`
 * (variables.ts) leaves their `$` alone: `'$HOME'` reaches the container literally while `"$HOME"`
 * and `$HOME` are the host's value (a `{name}` is replaced in all three).
 */
import { DockconvError, type Location } from '../errors';
import type { Word } from './variables';

type Quote = 'none' | 'single' | 'double';

interface Building {
  text: string;
  literal: boolean[];
}

interface State {
  words: Word[];
  current: Building | undefined;
  quote: Quote;
}

export function splitWords(text: string, where: Location = {}): Word[] {
  const state: State = { words: [], current: undefined, quote: 'none' };
  for (let i = 0; i < text.length; i++) i = step(state, text, i);
  if (state.quote !== 'none') {
    throw new DockconvError(`unterminated ${state.quote} quote in '${text}'`, where);
  }
  finish(state);
  return state.words;
}

/** Consumes the character at `i` (and what it escapes); returns the index of the last one used. */
function step(state: State, text: string, i: number): number {
  const c = text[i] ?? '';
  if (state.quote === 'single') return single(state, c, i);
  if (state.quote === 'double') return double(state, text, c, i);
  if (/\s/.test(c)) {
    finish(state);
    return i;
  }
  if (c === "'" || c === '"') {
    state.quote = c === "'" ? 'single' : 'double';
    state.current ??= { text: '', literal: [] };
    return i;
  }
  if (c === '\\') return escaped(state, text[i + 1], i);
  add(state, c, false);
  return i;
}

function single(state: State, c: string, i: number): number {
  if (c === "'") state.quote = 'none';
  else add(state, c, true);
  return i;
}

function double(state: State, text: string, c: string, i: number): number {
  if (c === '"') {
    state.quote = 'none';
    return i;
  }
  // Inside double quotes a backslash only escapes $ ` " \ and a newline, as in sh.
  if (c === '\\' && /[$`"\\\n]/.test(text[i + 1] ?? '')) return escaped(state, text[i + 1], i);
  add(state, c, false);
  return i;
}

function escaped(state: State, next: string | undefined, i: number): number {
  if (next === undefined) {
    add(state, '\\', true);
    return i;
  }
  // A backslash-newline joins lines: both characters vanish.
  if (next !== '\n') add(state, next, true);
  return i + 1;
}

function add(state: State, s: string, literal: boolean): void {
  state.current ??= { text: '', literal: [] };
  state.current.text += s;
  state.current.literal.push(literal);
}

function finish(state: State): void {
  if (state.current !== undefined) state.words.push({ text: state.current.text, literal: state.current.literal });
  state.current = undefined;
}
