/**
 * What an nx command line asks for, as far as image states care: which targets it runs and the
 * options that change which image a build names (`--tag`, `--name` with `--image`) or whether
 * it builds at all (`--dryRun`). Read from the argv Nx hands its plugins before it makes the
 * task graph. A command this cannot read counts as one that may build any image.
 */
import yargsParser from 'yargs-parser';

export interface NxCommand {
  /** Target names run; undefined when the command line is not one this understands. */
  targets: string[] | undefined;
  tag?: string;
  name?: string;
  image?: string;
  dryRun: boolean;
}

/** Nx's own release publishing runs this target of every published project. */
const RELEASE_PUBLISH_TARGET = 'nx-release-publish';

export function readNxCommand(argv: readonly string[]): NxCommand {
  const args = argsAfterNx(argv);
  const parsed = yargsParser(args, {
    string: ['tag', 'name', 'image', 'target', 'targets', 't', 'configuration', 'c'],
    boolean: ['dryRun'],
    configuration: { 'camel-case-expansion': true, 'strip-aliased': false },
  });
  const words = parsed._.map(String);
  const options = {
    ...(typeof parsed['tag'] === 'string' ? { tag: parsed['tag'] } : {}),
    ...(typeof parsed['name'] === 'string' ? { name: parsed['name'] } : {}),
    ...(typeof parsed['image'] === 'string' ? { image: parsed['image'] } : {}),
    dryRun: parsed['dryRun'] === true,
  };
  return { targets: targetsOf(words, parsed), ...options };
}

function argsAfterNx(argv: readonly string[]): string[] {
  const at = argv.findIndex((a) => /(^|[\\/])nx(\.js)?$/.test(a));
  return argv.slice(at + 1);
}

function targetsOf(words: readonly string[], parsed: yargsParser.Arguments): string[] | undefined {
  const [command, first, second] = words;
  // `-t build test` leaves every name after the first as a bare word: they count too.
  if (command === 'run-many' || command === 'affected') return withWords(listed(parsed), words.slice(1));
  if (command === 'release') return first === undefined || first === 'publish' ? [RELEASE_PUBLISH_TARGET] : [];
  if (command === 'run') return first ? targetOfSpec(first) : undefined;
  if (command === undefined) return undefined;
  // `nx project:target`, or the infix `nx target [project]`
  if (command.includes(':')) return targetOfSpec(command);
  return second === undefined || !second.includes(':') ? [command] : undefined;
}

function listed(parsed: yargsParser.Arguments): string[] | undefined {
  const values = [parsed['targets'], parsed['target'], parsed['t']].flat().filter((v): v is string => typeof v === 'string');
  const names = values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  return names.length ? [...new Set(names)] : undefined;
}

function withWords(names: string[] | undefined, words: readonly string[]): string[] | undefined {
  return names && [...new Set([...names, ...words])];
}

function targetOfSpec(spec: string): string[] | undefined {
  const [, target] = spec.split(':');
  return target ? [target] : undefined;
}
