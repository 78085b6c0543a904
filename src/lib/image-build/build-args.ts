/**
 * The build args of one image: the automatic ones, passed only for ARGs the
 * Dockerfile declares, then run.cfg `build_args`, then the `buildArgs` option, each layer
 * overriding the one before. run.cfg values keep their `$VAR`s for printing.
 */
import type { DockerfileInfo } from '../model/dockerfile';
import { DockconvError, type Location } from '../errors';
import { literalShown, type Shown } from '../text/shown';
import { splitWords } from '../text/shell-words';
import { expand, sliceWord, type Replacements, type Word } from '../text/variables';

export const AUTOMATIC_ARGS = ['PROJECT', 'TAG', 'BASE_IMAGE', 'VERSION', 'GIT_COMMIT'] as const;

export interface BuildArgs {
  /** NAME → value (with its printed form), in insertion order. */
  args: Map<string, Shown>;
  /** Other docker build flags from run.cfg `build_args` (e.g. `--network host`), passed through. */
  flags: Shown[];
}


/** The automatic values for the ARGs the Dockerfile declares; undefined values (no git) are left out. */
export function automaticBuildArgs(info: DockerfileInfo, values: Partial<Record<(typeof AUTOMATIC_ARGS)[number], string>>): Map<string, Shown> {
  const args = new Map<string, Shown>();
  for (const name of AUTOMATIC_ARGS) {
    const value = values[name];
    if (value !== undefined && info.declaredArgs.has(name)) args.set(name, literalShown(value));
  }
  return args;
}

/** docker build flags that take no value, so a word after one is not its value. */
const BOOLEAN_FLAGS = new Set(['--no-cache', '--pull', '-q', '--quiet', '--rm', '--force-rm', '--squash', '--compress', '--disable-content-trust', '--load', '--push']);

/**
 * run.cfg `build_args`: docker flags, split into words as a shell would (the splitter every
 * run.cfg value uses). `--build-arg K=V` become build args; any other flag is passed to
 * `docker build` as given; a bare word is an error (it would become the context).
 */
export function parseBuildArgsConfig(text: string, replacements: Replacements, env: NodeJS.ProcessEnv, where: Location): BuildArgs {
  const words = splitWords(text, where);
  const args = new Map<string, Shown>();
  const flags: Shown[] = [];
  const value = (word: Word): Shown => expand(word, replacements, env, where);
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as Word;
    const flag = word.text.startsWith('-') ? word.text.split('=')[0] ?? '' : '';
    if (!flag) {
      throw new DockconvError(`build_args: '${word.text}' is not a docker build flag`, { ...where, hint: 'write --build-arg NAME=value' });
    }
    const eq = word.text.indexOf('=');
    const next = words[i + 1];
    const takesNext = eq < 0 && !BOOLEAN_FLAGS.has(flag) && next !== undefined && !next.text.startsWith('-');
    const operand = eq >= 0 ? sliceWord(word, eq + 1) : takesNext ? next : undefined;
    if (takesNext) i++;
    if (flag === '--build-arg') {
      if (!operand) throw new DockconvError('build_args: --build-arg needs NAME=value', where);
      const [name, rest] = splitArg(operand.text, where);
      args.set(name, rest === undefined ? fromEnv(name, env, where) : value(sliceWord(operand, name.length + 1)));
    } else {
      flags.push(literalShown(flag), ...(operand ? [value(operand)] : []));
    }
  }
  return { args, flags };
}

/** The `buildArgs` option: an array of `NAME=value`, or a string of them (`--build-arg` optional). */
export function parseBuildArgsOption(option: string | readonly string[] | undefined, env: NodeJS.ProcessEnv): Map<string, Shown> {
  const where = { file: '--buildArgs' };
  const items = typeof option === 'string' ? optionWords(option, where) : [...(option ?? [])];
  const args = new Map<string, Shown>();
  for (const item of items) {
    const [name, value] = splitArg(item, where);
    args.set(name, value === undefined ? fromEnv(name, env, where) : literalShown(value));
  }
  return args;
}

function optionWords(text: string, where: Location): string[] {
  return splitWords(text, where)
    .map((w) => w.text.replace(/^--build-arg=/, ''))
    .filter((w) => w !== '--build-arg');
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

function splitArg(item: string, where: Location): [string, string | undefined] {
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
