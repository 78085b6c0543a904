/**
 * One image's run configuration (run.cfg section + executor options) as one `docker run` argv.
 * Pure: every fact about the engine, the terminal and the clock comes in, so each rule is
 * unit-tested. Options override run.cfg: `command` replaces `cmd`, `network` and `gpu` replace
 * theirs, `env` and `args` come after run.cfg's (docker lets the last -e of a name win).
 */
import { DockconvError, type Location } from '../errors';
import type { ImageDef } from '../model/project';
import { AWS_ENV_KEY, booleanOf, parseBoolean, runKey, type ConfigDocument, type ConfigEntry } from '../model/run-config';
import { escapeForDoubleQuotes, type Arg, type Shown } from '../text/shown';
import { expand, type Replacements } from '../text/variables';
import { containerName } from './container-name';
import type { FlagKey } from './docker-run-flags';
import { flagsToArgv, parseFlags, type ParsedFlag } from './flags';
import { splitWords } from '../text/shell-words';

/** The executor options that shape the command. */
export interface RunRequest {
  image: string;
  command?: string;
  keep?: boolean;
  network?: string;
  gpu?: boolean;
  env?: string[];
  args?: string;
  /** `false`: no `--init` (dockerutils' `--pre`, for engines before API 1.25). */
  init?: boolean;
  /** `false`: do not pass the host's AWS credential variables (run.cfg `aws_env` says the same). */
  awsEnv?: boolean;
}

export interface RunFacts {
  image: ImageDef;
  doc: ConfigDocument;
  /** The engine is on another machine: `<key>_docked` values apply. */
  remote: boolean;
  stdinIsTTY: boolean;
  user: string;
  now: Date;
  env: NodeJS.ProcessEnv;
  replacements: Replacements;
  /** GPU flags detected from the engine; asked for only when `gpuRequest` says `detect`. */
  detectedGpu?: readonly string[];
  /**
   * The project's configuration is `docker/run.cfg`, the name of dockerutils' first era, whose
   * images pick their Python environment from CPU_GPU_ENV: a detected GPU then also sets it.
   */
  gpuEnvironment?: boolean;
}

export interface RunCommand {
  /** Arguments after `docker`. */
  argv: Arg[];
  name: string;
  /** `-d`: docker returns once the container started. */
  detached: boolean;
  /** `-t` given: the terminal is the container's. */
  tty: boolean;
}

export type GpuRequest = { kind: 'none' } | { kind: 'detect' } | { kind: 'verbatim'; entry: ConfigEntry };

export function buildRunCommand(req: RunRequest, facts: RunFacts): RunCommand {
  const mode = attachMode(req, facts);
  const name = containerName(facts.user, facts.image.type, facts.now);
  const argv: Arg[] = [
    'run', '--name', name,
    ...(req.init === false ? [] : ['--init']),
    ...(req.keep ? [] : ['--rm']),
    ...(mode.detached ? ['-d'] : []),
    ...(mode.interactive ? ['-i'] : []),
    ...(mode.tty ? ['-t'] : []),
    ...awsFlags(req, facts),
    ...gpuEnvironmentFlags(req, facts),
    ...configFlags('environment', 'environment', facts),
    ...envSection(facts),
    ...(req.env ?? []).flatMap((kv) => ['-e', checkedEnvOption(kv)]),
    ...gpuFlags(req, facts),
    ...networkFlags(req, facts),
    ...configFlags('volumes', 'volumes', facts),
    ...configFlags('ports', 'ports', facts),
    ...configFlags('args', 'args', facts),
    ...optionFlags(req.args, 'the args option', 'args', facts),
    facts.image.name.ref,
    ...commandWords(req, facts),
  ];
  return { argv, name, detached: mode.detached, tty: mode.tty };
}

interface AttachMode {
  detached: boolean;
  interactive: boolean;
  tty: boolean;
}

/**
 * Attached runs get `-i`/`-t` only when stdin is a terminal, so `interactive = -it` also works in
 * CI. A detached run (`keep`, or `interactive = -d`) keeps them as configured: `-dit` keeps a
 * shell alive in the background and needs no terminal.
 */
function attachMode(req: RunRequest, facts: RunFacts): AttachMode {
  const flags = new Map(parseConfigFlags('interactive', 'interactive', facts).map((f) => [f.flag.long, f.value === true]));
  const detached = Boolean(req.keep) || (flags.get('detach') ?? false);
  const allowed = detached || facts.stdinIsTTY;
  return { detached, interactive: allowed && (flags.get('interactive') ?? false), tty: allowed && (flags.get('tty') ?? false) };
}

function entryOf(key: string, facts: RunFacts): ConfigEntry | undefined {
  return facts.image.section && runKey(facts.image.section, key, facts.remote);
}

function where(entry: ConfigEntry, facts: RunFacts): Location {
  return { file: facts.doc.file, line: entry.line };
}

function parseConfigFlags(key: string, flagKey: FlagKey, facts: RunFacts): ParsedFlag[] {
  const entry = entryOf(key, facts);
  if (!entry) return [];
  const at = where(entry, facts);
  return parseFlags(splitWords(entry.value, at), { keyName: entry.key, key: flagKey, where: at, replacements: facts.replacements, env: facts.env });
}

function configFlags(key: string, flagKey: FlagKey, facts: RunFacts): Arg[] {
  return flagsToArgv(parseConfigFlags(key, flagKey, facts));
}

function optionFlags(text: string | undefined, keyName: string, flagKey: FlagKey, facts: RunFacts): Arg[] {
  if (!text) return [];
  const ctx = { keyName, key: flagKey, where: {}, replacements: facts.replacements, env: facts.env };
  return flagsToArgv(parseFlags(splitWords(text, { file: keyName }), ctx));
}

/**
 * The AWS credential variables set on the host, passed as `-e NAME` so that docker reads each
 * value from its own environment: the secret is neither printed nor on docker's command line.
 * Session credentials exist only in these variables (a ~/.aws mount lacks them), which is why
 * dockerutils passed them and projects rely on it. Not to a remote engine: a container on another
 * machine should use that machine's credentials. They come before run.cfg's environment, so an
 * explicit `-e AWS_REGION=…` there still wins.
 */
export const AWS_VARIABLES = [
  'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_DEFAULT_REGION', 'AWS_REGION', 'AWS_SESSION_TOKEN', 'AWS_SECURITY_TOKEN',
] as const;

function awsFlags(req: RunRequest, facts: RunFacts): Arg[] {
  if (facts.remote || req.awsEnv === false) return [];
  const entry = facts.image.section?.entries.get(AWS_ENV_KEY);
  if (entry && !parseBoolean(entry, facts.doc.file)) return [];
  return AWS_VARIABLES.filter((name) => facts.env[name]).flatMap((name) => ['-e', name]);
}

/** `-e CPU_GPU_ENV=/gpu-env` where the GPU was asked for as a switch in a run.cfg-era project. */
function gpuEnvironmentFlags(req: RunRequest, facts: RunFacts): Arg[] {
  if (!facts.gpuEnvironment) return [];
  return gpuRequest(req, facts.image, facts.remote, facts.doc.file).kind === 'detect' ? ['-e', 'CPU_GPU_ENV=/gpu-env'] : [];
}

/** `env = <section>`: each key of that section (not [DEFAULT]'s) becomes `-e KEY=value`. */
function envSection(facts: RunFacts): Arg[] {
  const entry = entryOf('env', facts);
  if (!entry) return [];
  const section = facts.doc.sections.get(entry.value);
  if (!section) {
    throw new DockconvError(`${entry.key} names section [${entry.value}], which run.cfg does not have`, where(entry, facts));
  }
  return [...section.entries.values()]
    .filter((e) => !e.inherited)
    .flatMap((e) => ['-e', envPair(e.key, expand(e.value, facts.replacements, facts.env, { file: facts.doc.file, line: e.line }))]);
}

function envPair(key: string, value: Shown): Shown {
  return { value: `${key}=${value.value}`, shown: `${escapeForDoubleQuotes(key)}=${value.shown}` };
}

/** `env` option items are passed as given (`K=V`, or `K` to pass the host's value through). */
function checkedEnvOption(kv: string): string {
  if (!kv || kv.startsWith('=')) throw new DockconvError(`env option '${kv}' is not NAME=value or NAME`);
  return kv;
}

/** A bare name (`network = mynet`) means `--network mynet`; otherwise network flags. */
function networkFlags(req: RunRequest, facts: RunFacts): Arg[] {
  if (req.network) return ['--network', req.network];
  const entry = entryOf('network', facts);
  if (!entry) return [];
  const at = where(entry, facts);
  const words = splitWords(entry.value, at);
  const only = words.length === 1 ? words[0] : undefined;
  if (only && !only.text.startsWith('-')) return ['--network', expand(only, facts.replacements, facts.env, at)];
  return configFlags('network', 'network', facts);
}

export function gpuRequest(req: RunRequest, image: ImageDef, remote: boolean, file: string): GpuRequest {
  const entry = image.section && runKey(image.section, 'gpu', remote);
  const verbatim = entry && booleanOf(entry.value.trim()) === undefined ? entry : undefined;
  if (req.gpu === false) return { kind: 'none' };
  if (verbatim) return { kind: 'verbatim', entry: verbatim };
  if (req.gpu === true) return { kind: 'detect' };
  return entry && parseBoolean(entry, file) ? { kind: 'detect' } : { kind: 'none' };
}

function gpuFlags(req: RunRequest, facts: RunFacts): Arg[] {
  const request = gpuRequest(req, facts.image, facts.remote, facts.doc.file);
  if (request.kind === 'none') return [];
  if (request.kind === 'detect') {
    if (!facts.detectedGpu) throw new DockconvError('GPU flags were not detected before building the command');
    return [...facts.detectedGpu];
  }
  const at = where(request.entry, facts);
  const ctx = { keyName: request.entry.key, key: 'gpu' as const, where: at, replacements: facts.replacements, env: facts.env };
  return flagsToArgv(parseFlags(splitWords(request.entry.value, at), ctx));
}

function commandWords(req: RunRequest, facts: RunFacts): Arg[] {
  if (req.command !== undefined) {
    return splitWords(req.command, { file: 'the command option' }).map((w) => expand(w, facts.replacements, facts.env, { file: 'the command option' }));
  }
  const entry = entryOf('cmd', facts);
  if (!entry) return [];
  const at = where(entry, facts);
  return splitWords(entry.value, at).map((w) => expand(w, facts.replacements, facts.env, at));
}
