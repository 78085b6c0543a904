/**
 * Reads the words of one run.cfg key (or option) as the `docker run` flags they are, with
 * yargs-parser, after checking each flag against docker's own table: a flag docker does not
 * have, or one that belongs in another key, is an error naming the key, file and line.
 * Values are expanded word by word, so a printed command keeps `$VAR` where the value had one.
 */
import yargsParser from 'yargs-parser';
import { DockconvError, type Location } from '../errors';
import { closestKey } from '../model/run-config';
import type { Arg } from '../text/shown';
import { expand, sliceWord, type Replacements, type Word } from '../text/variables';
import { DOCKER_RUN_FLAGS, lookupFlag, OWNED_FLAGS, type DockerRunFlag, type FlagKey } from './docker-run-flags';

export interface FlagContext {
  /** The run.cfg key (or option) the words come from, as written (`volumes_docked`). */
  keyName: string;
  /** Which flags it may hold. */
  key: FlagKey;
  where: Location;
  replacements: Replacements;
  env: NodeJS.ProcessEnv;
}

export interface ParsedFlag {
  flag: DockerRunFlag;
  /** Values in order, or the boolean's final setting. */
  value: Arg[] | boolean;
}

const YARGS_CONFIGURATION = {
  'short-option-groups': false,
  'camel-case-expansion': false,
  'dot-notation': false,
  'parse-numbers': false,
  'parse-positional-numbers': false,
  'boolean-negation': false,
  'duplicate-arguments-array': true,
  'flatten-duplicate-arrays': true,
  'greedy-arrays': false,
  'strip-aliased': true,
};

interface Normalised {
  argv: string[];
  /** Placeholder → the expanded value it stands for. */
  values: Map<string, Arg>;
  /** How often each value flag was given, to find one missing its value. */
  counts: Map<string, number>;
  flags: Map<string, DockerRunFlag>;
}

/** Flags in the order they first appear; a flag given twice keeps all its values. */
export function parseFlags(words: readonly Word[], ctx: FlagContext): ParsedFlag[] {
  const norm: Normalised = { argv: [], values: new Map(), counts: new Map(), flags: new Map() };
  words.forEach((word) => normaliseWord(norm, word, ctx));
  const flags = [...norm.flags.values()];
  const parsed = yargsParser.detailed(norm.argv, {
    configuration: YARGS_CONFIGURATION,
    boolean: flags.filter((f) => f.boolean).map((f) => f.long),
    array: flags.filter((f) => !f.boolean).map((f) => f.long),
    string: flags.filter((f) => !f.boolean).map((f) => f.long),
  });
  if (parsed.error) throw new DockconvError(`cannot read ${ctx.keyName}: ${parsed.error.message}`, ctx.where);
  const stray = parsed.argv._.map(String);
  if (stray.length) throw positionalError(norm.values.get(stray[0] ?? '') ?? stray[0] ?? '', ctx);
  return flags.map((flag) => collect(flag, parsed.argv[flag.long], norm, ctx));
}

function collect(flag: DockerRunFlag, raw: unknown, norm: Normalised, ctx: FlagContext): ParsedFlag {
  if (flag.boolean) return { flag, value: raw === true };
  const placeholders = (Array.isArray(raw) ? raw : [raw]).filter((v): v is string => typeof v === 'string');
  if (placeholders.length < (norm.counts.get(flag.long) ?? 0)) {
    throw new DockconvError(`--${flag.long} in ${ctx.keyName} needs a value`, ctx.where);
  }
  return { flag, value: placeholders.map((p) => norm.values.get(p) ?? p) };
}

/** Writes a word as long flags and placeholders, splitting `--env=X`, `-it` and `-p80:80`. */
function normaliseWord(norm: Normalised, word: Word, ctx: FlagContext): void {
  if (word.text.startsWith('--') && word.text.length > 2) return longWord(norm, word, ctx);
  if (/^-[A-Za-z]/.test(word.text)) return shortGroup(norm, word, ctx);
  pushValue(norm, word, ctx);
}

function longWord(norm: Normalised, word: Word, ctx: FlagContext): void {
  const eq = word.text.indexOf('=');
  const name = word.text.slice(2, eq < 0 ? undefined : eq);
  const flag = checkedFlag(name, `--${name}`, ctx);
  pushFlag(norm, flag);
  if (eq < 0) return;
  if (flag.boolean) norm.argv[norm.argv.length - 1] = `--${flag.long}=${word.text.slice(eq + 1)}`;
  else pushValue(norm, sliceWord(word, eq + 1), ctx);
}

function shortGroup(norm: Normalised, word: Word, ctx: FlagContext): void {
  for (let j = 1; j < word.text.length; j++) {
    const letter = word.text[j] ?? '';
    const flag = checkedFlag(letter, `-${letter}`, ctx);
    pushFlag(norm, flag);
    if (flag.boolean) continue;
    const rest = sliceWord(word, word.text[j + 1] === '=' ? j + 2 : j + 1);
    if (rest.text) pushValue(norm, rest, ctx);
    return;
  }
}

function pushFlag(norm: Normalised, flag: DockerRunFlag): void {
  norm.argv.push(`--${flag.long}`);
  norm.flags.set(flag.long, flag);
  if (!flag.boolean) norm.counts.set(flag.long, (norm.counts.get(flag.long) ?? 0) + 1);
}

function pushValue(norm: Normalised, word: Word, ctx: FlagContext): void {
  const placeholder = `@@${norm.values.size}@@`;
  norm.values.set(placeholder, expand(word, ctx.replacements, ctx.env, ctx.where));
  norm.argv.push(placeholder);
}

function checkedFlag(name: string, spelled: string, ctx: FlagContext): DockerRunFlag {
  const flag = lookupFlag(name);
  if (!flag) {
    const known = DOCKER_RUN_FLAGS.map((f) => f.long);
    const near = name.length > 1 ? closestKey(name, known) : undefined;
    throw new DockconvError(`'${spelled}' in ${ctx.keyName} is not a docker run flag`, {
      ...ctx.where,
      ...(near ? { hint: `did you mean --${near}?` } : {}),
    });
  }
  const owned = OWNED_FLAGS.get(flag.long);
  if (owned) throw new DockconvError(`'${spelled}' cannot be set in ${ctx.keyName}`, { ...ctx.where, hint: owned });
  if (!flag.keys.includes(ctx.key)) {
    throw new DockconvError(`'${spelled}' does not belong in ${ctx.keyName}`, {
      ...ctx.where,
      hint: `put it in ${flag.keys.filter((k) => k !== 'gpu').join(' or ')}`,
    });
  }
  return flag;
}

function positionalError(value: Arg, ctx: FlagContext): DockconvError {
  const text = typeof value === 'string' ? value : value.value;
  return new DockconvError(`'${text}' in ${ctx.keyName} is not a docker flag or a flag's value`, {
    ...ctx.where,
    hint: 'the command to run belongs in cmd (or the command option)',
  });
}

/** The flags as docker arguments: short spellings where docker has them, each value its own word. */
export function flagsToArgv(flags: readonly ParsedFlag[]): Arg[] {
  return flags.flatMap(({ flag, value }) => {
    const spelled = flag.short ? `-${flag.short}` : `--${flag.long}`;
    if (typeof value === 'boolean') return value ? [spelled] : [`--${flag.long}=false`];
    return value.flatMap((v) => [spelled, v]);
  });
}
