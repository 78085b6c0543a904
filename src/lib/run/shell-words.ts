/**
 * Splits a run.cfg value into words the way a POSIX shell would (quotes, backslashes), without
 * ever running a shell. Each word comes back as a template for `expand()` (variables.ts): `$`
 * that the shell would not expand (single quotes, `\$`) is written `$$`, so `'$HOME'` reaches the
 * container literally while `"$HOME"` and `$HOME` are the host's value. `{name}` replacement
 * variables are the tool's own syntax, not the shell's: they expand everywhere.
 */
import { DockconvError, type Location } from '../errors';

type Quote = 'none' | 'single' | 'double';

interface State {
  words: string[];
  current: string | undefined;
  quote: Quote;
}

export function splitWords(text: string, where: Location = {}): string[] {
  const state: State = { words: [], current: undefined, quote: 'none' };
  for (let i = 0; i < text.length; i++) i = step(state, text, i);
  if (state.quote !== 'none') {
    throw new DockconvError(`unterminated ${state.quote} quote in '${text}'`, where);
  }
  if (state.current !== undefined) state.words.push(state.current);
  return state.words;
}

/** Consumes the character at `i` (and what it escapes); returns the index of the last one used. */
function step(state: State, text: string, i: number): number {
  const c = text[i] ?? '';
  if (state.quote === 'single') return single(state, c, i);
  if (state.quote === 'double') return double(state, text, c, i);
  if (/\s/.test(c)) {
    if (state.current !== undefined) state.words.push(state.current);
    state.current = undefined;
    return i;
  }
  if (c === "'" || c === '"') {
    state.quote = c === "'" ? 'single' : 'double';
    state.current ??= '';
    return i;
  }
  if (c === '\\') return escaped(state, text[i + 1], i);
  add(state, c);
  return i;
}

function single(state: State, c: string, i: number): number {
  if (c === "'") state.quote = 'none';
  else add(state, c === '$' ? '$$' : c);
  return i;
}

function double(state: State, text: string, c: string, i: number): number {
  if (c === '"') {
    state.quote = 'none';
    return i;
  }
  // Inside double quotes a backslash only escapes $ ` " \ and a newline, as in sh.
  if (c === '\\' && /[$`"\\\n]/.test(text[i + 1] ?? '')) return escaped(state, text[i + 1], i);
  add(state, c);
  return i;
}

function escaped(state: State, next: string | undefined, i: number): number {
  if (next === undefined) {
    add(state, '\\');
    return i;
  }
  // A backslash-newline joins lines: both characters vanish.
  if (next !== '\n') add(state, next === '$' ? '$$' : next);
  return i + 1;
}

function add(state: State, s: string): void {
  state.current = (state.current ?? '') + s;
}
