/**
 * The build args of one image (SPEC §2.5, §3): the automatic ones, passed only for ARGs the
 * Dockerfile declares, then run.cfg `build_args`, then the `buildArgs` option, each layer
 * overriding the one before. run.cfg values keep their `$VAR`s for printing (§2.10).
 */
import parser from 'yargs-parser';
import type { DockerfileInfo } from '../dockerfile';
import { DockconvError, type Location } from '../errors';
import type { Shown } from '../shown';
import { expand, type Replacements } from '../variables';

export const AUTOMATIC_ARGS = ['PROJECT', 'TAG', 'BASE_IMAGE', 'VERSION', 'GIT_COMMIT'] as const;

export interface BuildArgs {
  /** NAME → value (with its printed form), in insertion order. */
  args: Map<string, Shown>;
  /** Other docker build flags from run.cfg `build_args` (e.g. `--network host`), passed through. */
  flags: Shown[];
}

const plain = (value: string): Shown => ({ value, shown: value.replace(/([$`"\\])/g, '\\$1') });

/** The automatic values for the ARGs the Dockerfile declares; undefined values (no git) are left out. */
export function automaticBuildArgs(info: DockerfileInfo, values: Partial<Record<(typeof AUTOMATIC_ARGS)[number], string>>): Map<string, Shown> {
  const args = new Map<string, Shown>();
  for (const name of AUTOMATIC_ARGS) {
    const value = values[name];
    if (value !== undefined && info.declaredArgs.has(name)) args.set(name, plain(value));
  }
  return args;
}

const PARSER_OPTIONS = {
  string: ['build-arg'],
  array: ['build-arg'],
  configuration: {
    'camel-case-expansion': false,
    'dot-notation': false,
    'parse-numbers': false,
    'parse-positional-numbers': false,
    'boolean-negation': false,
    'short-option-groups': false,
    'duplicate-arguments-array': true,
    'flatten-duplicate-arrays': true,
  },
};

/**
 * run.cfg `build_args`: docker flags. `--build-arg K=V` become build args; any other flag is
 * passed to `docker build` as given; a bare word is an error (it would become the context).
 */
export function parseBuildArgsConfig(text: string, replacements: Replacements, env: NodeJS.ProcessEnv, where: Location): BuildArgs {
  const argv = parser.detailed(text, PARSER_OPTIONS).argv;
  const positional = argv._.map(String);
  if (positional.length) {
    throw new DockconvError(`build_args: '${positional[0]}' is not a docker build flag`, { ...where, hint: 'write --build-arg NAME=value' });
  }
  const args = new Map<string, Shown>();
  for (const item of asStrings(argv['build-arg'])) {
    const [name, value] = splitArg(item, env, where);
    args.set(name, value === undefined ? fromEnv(name, env, where) : expand(value, replacements, env, where));
  }
  const flags = Object.entries(argv).flatMap(([key, value]) =>
    key === '_' || key === '--' || key === 'build-arg' ? [] : flagTokens(key, value, replacements, env, where),
  );
  return { args, flags };
}

/** The `buildArgs` option: an array of `NAME=value`, or a string of them (`--build-arg` optional). */
export function parseBuildArgsOption(option: string | readonly string[] | undefined, env: NodeJS.ProcessEnv): Map<string, Shown> {
  const where = { file: '--buildArgs' };
  const items = typeof option === 'string' ? optionWords(option) : [...(option ?? [])];
  const args = new Map<string, Shown>();
  for (const item of items) {
    const [name, value] = splitArg(item, env, where);
    args.set(name, value === undefined ? fromEnv(name, env, where) : plain(value));
  }
  return args;
}

function optionWords(text: string): string[] {
  const argv = parser.detailed(text, PARSER_OPTIONS).argv;
  return [...asStrings(argv['build-arg']), ...argv._.map(String)];
}

/** Later layers override earlier ones; the automatic args come first. */
export function mergeBuildArgs(...layers: ReadonlyMap<string, Shown>[]): Map<string, Shown> {
  const merged = new Map<string, Shown>();
  for (const layer of layers) for (const [k, v] of layer) merged.set(k, v);
  return merged;
}

/** `--build-arg NAME=value` pairs for the command line, values printed with their `$VAR`s. */
export function buildArgFlags(args: ReadonlyMap<string, Shown>): (string | Shown)[] {
  return [...args].flatMap(([name, v]) => ['--build-arg', { value: `${name}=${v.value}`, shown: `${name}=${v.shown}` }]);
}

export function buildArgValues(args: ReadonlyMap<string, Shown>): Record<string, string> {
  return Object.fromEntries([...args].map(([k, v]) => [k, v.value]));
}

function asStrings(value: unknown): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

function splitArg(item: string, _env: NodeJS.ProcessEnv, where: Location): [string, string | undefined] {
  const eq = item.indexOf('=');
  const name = eq < 0 ? item : item.slice(0, eq);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new DockconvError(`invalid build arg '${item}'`, { ...where, hint: 'NAME=value, NAME a letter or _ then letters, digits, _' });
  }
  return [name, eq < 0 ? undefined : item.slice(eq + 1)];
}

/** `--build-arg NAME` without a value takes it from the environment, as docker does. */
function fromEnv(name: string, env: NodeJS.ProcessEnv, where: Location): Shown {
  const value = env[name];
  if (value === undefined) throw new DockconvError(`build arg ${name} has no value and $${name} is not set`, where);
  return { value, shown: `\${${name}}` };
}

function flagTokens(key: string, value: unknown, replacements: Replacements, env: NodeJS.ProcessEnv, where: Location): Shown[] {
  const flag = plain(key.length === 1 ? `-${key}` : `--${key}`);
  const values = Array.isArray(value) ? value : [value];
  return values.flatMap((v) => (v === true ? [flag] : [flag, expand(String(v), replacements, env, where)]));
}
