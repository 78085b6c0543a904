/**
 * Replacement variables in run.cfg values, build_args and scripts: `{name}` from a fixed set,
 * and environment variables as `$VAR`, `${VAR}` and `${VAR:-default}` (`$$` is a literal `$`).
 *
 * One brace rule for every value (run keys and their `_docked` forms, build_args, scripts, the
 * command line): `{name}` is this tool's syntax, not the shell's, so a known `{name}` is replaced
 * wherever it stands, inside single quotes too; an unknown `{identifier}` is an error, since it is
 * far more often a typo than a brace the container wants; `{{` and `}}` are literal braces; any
 * other brace (`awk '{print $1}'`, `{"a":1}`, `${VAR}`) is the user's and goes through as written.
 * `$VAR` follows the shell: literal inside single quotes, the host's value elsewhere.
 *
 * Scripts (`pre_build_script`, `post_build_script`) are the shell's own text: `$VAR` reaches
 * `sh` untouched, the value staying in the script's environment, and a `{name}` value is pasted
 * quoted for the place it lands in, so no value can become shell syntax.
 */
import { DockconvError, type Location } from '../errors';
import { closestKey } from '../model/run-config';
import { escapeForDoubleQuotes, escapeForSingleQuotes, quoteLiteral, type Shown } from './shown';

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

/**
 * A shell word after quote removal: `literal[i]` is set for characters that were single-quoted
 * or backslash-escaped, where `$` is the container's (a `{name}` is replaced there all the same).
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
): Shown {
  const word = typeof text === 'string' ? plainWord(text) : text;
  return expandWord(word, { replacements, env, where });
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
  const brace = braceAt(word.text, i);
  if (brace) {
    literal(out, braceValue(brace, word.text, ctx.replacements, ctx.where));
    return i + brace.length;
  }
  if (c === '$' && live(word, i, 1)) return environment(word, i, out, ctx);
  // A quoted `'${VAR}'` is the container's shell syntax: its brace opens no {name}.
  const skip = c === '$' && word.text[i + 1] === '{' ? 2 : 1;
  literal(out, word.text.slice(i, i + skip));
  return i + skip;
}

function literal(out: Output, s: string): void {
  out.value += s;
  out.shown += escapeForDoubleQuotes(s);
}

/** What a brace at some position of a value is, under the one brace rule. */
export type BraceToken =
  | { kind: 'literal'; text: '{' | '}'; length: number }
  | { kind: 'known'; name: ReplacementName; length: number }
  | { kind: 'unknown'; name: string; length: number };

const PLACEHOLDER = /^\{([A-Za-z0-9_]+)\}/;

/**
 * The brace token at `i`, or undefined when `text[i]` is no brace. Callers skip the brace of
 * `${` and `$$` themselves: it belongs to the environment variable syntax.
 */
export function braceAt(text: string, i: number): BraceToken | undefined {
  const c = text[i];
  if (c !== '{' && c !== '}') return undefined;
  if (text[i + 1] === c) return { kind: 'literal', text: c, length: 2 };
  const match = c === '{' ? PLACEHOLDER.exec(text.slice(i)) : null;
  const name = match?.[1];
  if (!match || name === undefined) return { kind: 'literal', text: c, length: 1 };
  return isReplacementName(name) ? { kind: 'known', name, length: match[0].length } : { kind: 'unknown', name, length: match[0].length };
}

function braceValue(token: BraceToken, text: string, replacements: Replacements, where: Location): string {
  if (token.kind === 'literal') return token.text;
  if (token.kind === 'known') return replacementValue(token.name, replacements, where);
  throw unknownPlaceholder(token.name, text, where);
}

function unknownPlaceholder(name: string, text: string, where: Location): DockconvError {
  const near = closestKey(name, REPLACEMENT_NAMES);
  const known = near ? `did you mean {${near}}?` : `known: ${REPLACEMENT_NAMES.map((n) => `{${n}}`).join(' ')}`;
  return new DockconvError(`unknown replacement variable {${name}} in '${text}'`, {
    ...where,
    hint: `${known}; {{ and }} give literal braces: {{${name}}}`,
  });
}

/**
 * Each `{identifier}` of `value` that the brace rule would reject, in order. The brace of `${`
 * is skipped, as expansion skips it; `$$` is a `$` of its own, as outside single quotes.
 */
export function unknownPlaceholders(value: string): string[] {
  const names: string[] = [];
  scanBraces(value, (token) => {
    if (token.kind === 'unknown') names.push(token.name);
    return undefined;
  });
  return names;
}

/**
 * `value` with every unknown `{identifier}` written `{{identifier}}`, so that it reaches the
 * container as the literal text it was under a rule that kept unknown braces; everything else,
 * known `{name}`s and `{{`/`}}` included, stays as it is (so a second pass changes nothing).
 */
export function escapeUnknownPlaceholders(value: string): string {
  return scanBraces(value, (token, text) => (token.kind === 'unknown' ? `{${text}}` : undefined));
}

/**
 * `value`, written for 0.1.0 (which kept every brace but a known `{name}` as written outside
 * `volumes`), rewritten so that the one brace rule reads it the same: an unknown `{x}` becomes
 * `{{x}}` and a `{{` or `}}` is doubled again, as both once reached the container as written.
 * Single braces, known `{name}`s, `${VAR}` and `$$` already read the same and are kept.
 */
export function keepBracesAsWritten(value: string): string {
  return scanBraces(value, (token, text) => {
    const doubled = token.kind === 'unknown' || (token.kind === 'literal' && token.length === 2);
    return doubled ? text.replace(/[{}]/g, '$&$&') : undefined;
  });
}

/** Rewrites the brace tokens of `value` (`undefined` keeps one as written). */
function scanBraces(value: string, rewrite: (token: BraceToken, text: string) => string | undefined): string {
  let out = '';
  let i = 0;
  while (i < value.length) {
    const c = value[i];
    if (c === '$' && (value[i + 1] === '{' || value[i + 1] === '$')) {
      out += value.slice(i, i + 2);
      i += 2;
      continue;
    }
    const token = braceAt(value, i);
    const length = token?.length ?? 1;
    const text = value.slice(i, i + length);
    out += (token && rewrite(token, text)) ?? text;
    i += length;
  }
  return out;
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

type ShellContext = 'plain' | 'single' | 'double' | 'subst' | 'backtick';

/**
 * A script with its `{name}`s replaced (the brace rule of every value), everything else as
 * written. The shell's quoting decides how a value is pasted: single-quoted where the shell would
 * split or interpret it, escaped inside double quotes, with its own quotes closed and reopened
 * inside single quotes.
 */
export function scriptText(text: string, replacements: Replacements, where: Location = {}): string {
  const stack: ShellContext[] = ['plain'];
  let out = '';
  let i = 0;
  while (i < text.length) {
    const top = stack[stack.length - 1] ?? 'plain';
    const brace = braceAt(text, i);
    if (brace) {
      const value = braceValue(brace, text, replacements, where);
      out += brace.kind === 'literal' ? value : pasted(value, top);
      i += brace.length;
      continue;
    }
    // A backslash could only have quoted the brace, which the replacement takes the place of.
    const escaped = text[i] === '\\' && top !== 'single' && braceAt(text, i + 1)?.kind !== 'literal' && braceAt(text, i + 1) !== undefined;
    if (escaped) {
      i += 1;
      continue;
    }
    const used = scriptToken(text, i, stack);
    out += text.slice(i, i + used);
    i += used;
  }
  return out;
}

function pasted(value: string, context: ShellContext): string {
  if (context === 'double') return escapeForDoubleQuotes(value);
  if (context === 'single') return escapeForSingleQuotes(value);
  return quoteLiteral(value);
}

/** A word the shell reads back as `value`: as is when nothing in it is special. */
/** Follows the shell's quoting through one token; returns how many characters it spans. */
function scriptToken(text: string, i: number, stack: ShellContext[]): number {
  const c = text[i] ?? '';
  const top = stack[stack.length - 1] ?? 'plain';
  if (top === 'single') {
    if (c === '$' && text[i + 1] === '{') return 2;
    if (c === "'") stack.pop();
    return 1;
  }
  if (c === '\\') return 2;
  // The brace of `${VAR}` is the shell's; `$$` is its process id, not the start of `${`.
  if (c === '$' && (text[i + 1] === '{' || text[i + 1] === '$')) return 2;
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
  if (c === "'") stack.push('single');
  else if (c === '"') stack.push('double');
  else if (c === '(' && top === 'subst') stack.push('subst');
  else if (c === ')' && top === 'subst') stack.pop();
  return 1;
}
