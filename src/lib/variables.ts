/**
 * Replacement variables in run.cfg values, build_args and scripts (SPEC §3): `{name}` from a
 * fixed set, and environment variables as `$VAR`, `${VAR}` and `${VAR:-default}`. `{{`, `}}`
 * and `$$` stand for literal braces and dollar, as in Python's str.format and shells.
 */
import { DockconvError, type Location } from './errors';
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

interface Output {
  value: string;
  /** Text for inside shell double quotes: `$VAR` kept live, every other special character escaped. */
  shown: string;
}

/**
 * Expands one value. The printed form keeps `$VAR` so that printed commands do not reveal
 * secrets; `{workdir}` and friends are shown expanded since they come from the project.
 */
export function expand(text: string, replacements: Replacements, env: NodeJS.ProcessEnv, where: Location = {}): Shown {
  const out: Output = { value: '', shown: '' };
  let i = 0;
  while (i < text.length) {
    i = step(text, i, out, replacements, env, where);
  }
  return out;
}

export function expandValue(text: string, replacements: Replacements, env: NodeJS.ProcessEnv, where: Location = {}): string {
  return expand(text, replacements, env, where).value;
}

function step(text: string, i: number, out: Output, replacements: Replacements, env: NodeJS.ProcessEnv, where: Location): number {
  const c = text[i];
  const next = text[i + 1];
  if ((c === '{' && next === '{') || (c === '}' && next === '}') || (c === '$' && next === '$')) {
    literal(out, c);
    return i + 2;
  }
  if (c === '{') return replacement(text, i, out, replacements, where);
  if (c === '$') return environment(text, i, out, env, replacements, where);
  literal(out, c ?? '');
  return i + 1;
}

function literal(out: Output, s: string): void {
  out.value += s;
  out.shown += s.replace(/([$`"\\])/g, '\\$1');
}

function replacement(text: string, i: number, out: Output, replacements: Replacements, where: Location): number {
  const end = text.indexOf('}', i);
  const name = end < 0 ? '' : text.slice(i + 1, end);
  if (!/^[a-z_]+$/.test(name)) {
    throw new DockconvError(`unbalanced or invalid '{' in '${text}'`, { ...where, hint: 'write {{ for a literal brace' });
  }
  const value = (replacements as Record<string, string | undefined>)[name];
  if (value === undefined) {
    const known = (REPLACEMENT_NAMES as readonly string[]).includes(name);
    throw new DockconvError(
      known ? `replacement variable {${name}} has no value here` : `unknown replacement variable {${name}}`,
      { ...where, hint: `known: ${REPLACEMENT_NAMES.map((n) => `{${n}}`).join(' ')}` },
    );
  }
  literal(out, value);
  return end + 1;
}

function environment(
  text: string,
  i: number,
  out: Output,
  env: NodeJS.ProcessEnv,
  replacements: Replacements,
  where: Location,
): number {
  // A default may itself hold one level of `{name}` or `${VAR}`.
  const braced = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-((?:[^{}]|\$?\{[^{}]*\})*))?\}/.exec(text.slice(i));
  const bare = braced ? null : /^\$([A-Za-z_][A-Za-z0-9_]*)/.exec(text.slice(i));
  const match = braced ?? bare;
  if (!match) {
    literal(out, '$');
    return i + 1;
  }
  const name = match[1] ?? '';
  const fallback = braced ? match[2] : undefined;
  const value = env[name];
  if (value !== undefined && value !== '') {
    out.value += value;
    out.shown += `\${${name}}`;
  } else if (fallback !== undefined) {
    const inner = expand(fallback, replacements, env, where);
    out.value += inner.value;
    out.shown += inner.shown;
  } else if (value === '') {
    out.shown += `\${${name}}`;
  } else {
    throw new DockconvError(`environment variable $${name} is not set`, {
      ...where,
      hint: `set it, or write \${${name}:-default}`,
    });
  }
  return i + match[0].length;
}
