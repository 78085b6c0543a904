/**
 * Replacement variables in run.cfg values, build_args and scripts: `{name}` from a fixed set,
 * and environment variables as `$VAR`, `${VAR}` and `${VAR:-default}` (`$$` is a literal `$`).
 *
 * Braces follow what run.cfg files written for the original dockerutils contain. It applied
 * Python's `str.format` to `volumes` only, so there `{{`/`}}` are literal braces and any other
 * `{name}` is an error; everywhere else braces belong to the user's command (`awk '{print $1}'`,
 * `python -c "print({'a': 1})"`, `-e JSON={"a":1}`), so only a known `{name}` is replaced and
 * every other brace is kept as written. Nothing is replaced inside single quotes.
 *
 * Scripts (`pre_build_script`, `post_build_script`) are the shell's own text: `$VAR` reaches
 * `sh` untouched, the value staying in the script's environment, and a `{name}` value is pasted
 * quoted for the place it lands in, so no value can become shell syntax.
 */
import { DockconvError, type Location } from './errors';
import { closestKey } from './run-config';
import type { Shown } from './shown';

export const REPLACEMENT_NAMES = [
  'user',
  'project',
  'project_root',
  'root',
  'workspace_root',
  'home',
  'workdir',
  'cwd',
  'image',
  'tag',
] as const;

export type ReplacementName = (typeof REPLACEMENT_NAMES)[number];
export type Replacements = Partial<Record<ReplacementName, string>>;

/** How braces read: `volumes` is Python's str.format as the original tool applied it. */
export type BraceRule = 'value' | 'volumes';

/**
 * A shell word after quote removal: `literal[i]` is set for characters that were single-quoted
 * or backslash-escaped, which nothing expands.
 */
export interface Word {
  text: string;
  literal: readonly boolean[];
}

/** Text none of which was quoted (an env section value, an option given without quotes). */
export function plainWord(text: string): Word {
  return { text, literal: Array.from(text, () => false) };
}

export function sliceWord(word: Word, start: number, end?: number): Word {
  return { text: word.text.slice(start, end), literal: word.literal.slice(start, end) };
}

interface Context {
  replacements: Replacements;
  env: NodeJS.ProcessEnv;
  where: Location;
  braces: BraceRule;
}

interface Output {
  value: string;
  /** Text for inside shell double quotes: `$VAR` kept live, every other special character escaped. */
  shown: string;
}

/**
 * Expands one value. The printed form keeps `$VAR` so that printed commands do not reveal
 * secrets; `{workdir}` and friends are shown expanded since they come from the project.
 */
export function expand(
  text: string | Word,
  replacements: Replacements,
  env: NodeJS.ProcessEnv,
  where: Location = {},
  braces: BraceRule = 'value',
): Shown {
  const word = typeof text === 'string' ? plainWord(text) : text;
  return expandWord(word, { replacements, env, where, braces });
}

function expandWord(word: Word, ctx: Context): Output {
  const out: Output = { value: '', shown: '' };
  let i = 0;
  while (i < word.text.length) i = step(word, i, out, ctx);
  return out;
}

/** Every character of `word` from `start` for `length` was unquoted. */
function live(word: Word, start: number, length: number): boolean {
  for (let k = start; k < start + length; k++) if (word.literal[k] !== false) return false;
  return true;
}

function step(word: Word, i: number, out: Output, ctx: Context): number {
  const c = word.text[i] ?? '';
  if (!live(word, i, 1)) {
    literal(out, c);
    return i + 1;
  }
  if (c === '$') return environment(word, i, out, ctx);
  if (c === '{' || c === '}') return ctx.braces === 'volumes' ? formatBrace(word, i, out, ctx) : valueBrace(word, i, out, ctx);
  literal(out, c);
  return i + 1;
}

function literal(out: Output, s: string): void {
  out.value += s;
  out.shown += s.replace(/([$`"\\])/g, '\\$1');
}

const NAMED = /^\{([a-z_]+)\}/;

/** Outside volumes: a known `{name}` is replaced, any other brace is the user's. */
function valueBrace(word: Word, i: number, out: Output, ctx: Context): number {
  const match = NAMED.exec(word.text.slice(i));
  const name = match?.[1];
  if (!match || !name || !isReplacementName(name) || !live(word, i, match[0].length)) {
    literal(out, word.text[i] ?? '');
    return i + 1;
  }
  literal(out, replacementValue(name, ctx.replacements, ctx.where));
  return i + match[0].length;
}

/** In volumes, Python's str.format: `{{` and `}}` are braces, `{name}` must be known. */
function formatBrace(word: Word, i: number, out: Output, ctx: Context): number {
  const c = word.text[i] ?? '';
  if (word.text[i + 1] === c && live(word, i + 1, 1)) {
    literal(out, c);
    return i + 2;
  }
  const match = /^\{([^{}]*)\}/.exec(word.text.slice(i));
  if (c === '}' || !match || !live(word, i, match[0].length)) {
    throw new DockconvError(`unbalanced '${c}' in '${word.text}'`, { ...ctx.where, hint: `write ${c}${c} for a literal brace in volumes` });
  }
  const name = match[1] ?? '';
  if (!isReplacementName(name)) {
    const near = closestKey(name, REPLACEMENT_NAMES);
    throw new DockconvError(`unknown replacement variable {${name}} in '${word.text}'`, {
      ...ctx.where,
      hint: near ? `did you mean {${near}}?` : `known: ${REPLACEMENT_NAMES.map((n) => `{${n}}`).join(' ')}`,
    });
  }
  literal(out, replacementValue(name, ctx.replacements, ctx.where));
  return i + match[0].length;
}

function isReplacementName(name: string): name is ReplacementName {
  return (REPLACEMENT_NAMES as readonly string[]).includes(name);
}

function replacementValue(name: ReplacementName, replacements: Replacements, where: Location): string {
  const value = replacements[name];
  if (value === undefined) throw new DockconvError(`replacement variable {${name}} has no value here`, where);
  return value;
}

const BRACED = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-((?:[^{}]|\$?\{[^{}]*\})*))?\}/;
const BARE = /^\$([A-Za-z_][A-Za-z0-9_]*)/;

function environment(word: Word, i: number, out: Output, ctx: Context): number {
  const rest = word.text.slice(i);
  if (rest.startsWith('$$') && live(word, i + 1, 1)) {
    literal(out, '$');
    return i + 2;
  }
  const braced = BRACED.exec(rest);
  const match = braced ?? BARE.exec(rest);
  if (!match || !live(word, i, braced ? 2 + (match[1]?.length ?? 0) : match[0].length)) {
    if (rest.startsWith('${') && live(word, i, 2)) {
      throw new DockconvError(`'${rest.slice(0, rest.indexOf('}') + 1 || undefined)}' is not a form expanded here`, {
        ...ctx.where,
        hint: "$VAR, ${VAR} and ${VAR:-default} are; single-quote it to pass it on as written",
      });
    }
    literal(out, '$');
    return i + 1;
  }
  const name = match[1] ?? '';
  const value = ctx.env[name];
  if (value !== undefined && value !== '') {
    out.value += value;
    out.shown += `\${${name}}`;
  } else if (braced?.[2] !== undefined) {
    // The default keeps its own quoting: `${X:-'{user}'}` stays literal.
    const start = i + name.length + 4;
    const inner = expandWord(sliceWord(word, start, start + braced[2].length), ctx);
    out.value += inner.value;
    out.shown += inner.shown;
  } else if (value === '') {
    out.shown += `\${${name}}`;
  } else {
    throw new DockconvError(`environment variable $${name} is not set`, { ...ctx.where, hint: `set it, or write \${${name}:-default}` });
  }
  return i + match[0].length;
}

type ShellContext = 'plain' | 'double' | 'subst' | 'backtick';

/**
 * A script with its `{name}`s replaced, everything else as written. The shell's quoting decides
 * how a value is pasted: single-quoted where the shell would split or interpret it, escaped
 * inside double quotes, not at all inside single quotes (nothing is replaced there).
 */
export function scriptText(text: string, replacements: Replacements, where: Location = {}): string {
  const stack: ShellContext[] = ['plain'];
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i] ?? '';
    const top = stack[stack.length - 1] ?? 'plain';
    const name = NAMED.exec(text.slice(i))?.[1];
    if (c === '{' && name && isReplacementName(name)) {
      const value = replacementValue(name, replacements, where);
      out += top === 'double' ? value.replace(/([$`"\\])/g, '\\$1') : shellQuoted(value);
      i += name.length + 2;
      continue;
    }
    const used = scriptToken(text, i, stack);
    out += text.slice(i, i + used);
    i += used;
  }
  return out;
}

/** A word the shell reads back as `value`: as is when nothing in it is special. */
function shellQuoted(value: string): string {
  return value !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Follows the shell's quoting through one token; returns how many characters it spans. */
function scriptToken(text: string, i: number, stack: ShellContext[]): number {
  const c = text[i] ?? '';
  const top = stack[stack.length - 1] ?? 'plain';
  if (c === '\\') return 2;
  if (c === '$' && text[i + 1] === '(') {
    stack.push('subst');
    return 2;
  }
  if (c === '`') {
    if (top === 'backtick') stack.pop();
    else stack.push('backtick');
    return 1;
  }
  if (top === 'double') {
    if (c === '"') stack.pop();
    return 1;
  }
  if (c === "'") {
    const end = text.indexOf("'", i + 1);
    return end < 0 ? text.length - i : end - i + 1;
  }
  if (c === '"') stack.push('double');
  else if (c === '(' && top === 'subst') stack.push('subst');
  else if (c === ')' && top === 'subst') stack.pop();
  return 1;
}
