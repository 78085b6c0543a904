/**
 * The image must be on the engine before `docker run` (a cache hit must
 * never leave the user without the image). Images no build here makes (configuration-only ones,
 * synthetic ones naming another tag or image) are left to `docker run`, which pulls them; the
 * others are checked, and built first with `build`.
 */
import { DockconvError } from '../errors';
import { isBuiltHere, type ImageDef } from '../model/project';
import { engineOf } from '../docker/engine';
import { assertRunnable } from './platform-check';

export interface EnsureOptions {
  build: boolean;
  dryRun: boolean;
  env: NodeJS.ProcessEnv;
  /** Builds the image type (and whatever it derives from); resolves to success. */
  buildImage: (type: string) => Promise<boolean>;
  /** The build target's name, for the hint (`docker-build` unless nx.json renames it). */
  buildTarget: string;
  /** The command that builds an image type, for the hint (default: the Nx target). */
  buildHint?: (type: string) => string;
  /** Where warnings go (default: stderr); lib/ stays free of Nx so the CLI runs without it. */
  warn?: (line: string) => void;
  /** Defaults to asking the engine (`docker image inspect`). */
  exists?: (ref: string, env: NodeJS.ProcessEnv) => Promise<boolean>;
  /** A container of it is about to start on this engine: its platform must be one it runs. */
  runsHere?: boolean;
}

export async function ensureImage(image: ImageDef, opts: EnsureOptions): Promise<void> {
  if (!isBuiltHere(image)) return;
  const exists = opts.exists ?? imageExists;
  const warn = opts.warn ?? ((line: string) => process.stderr.write(`${line}\n`));
  // A dry run only prints: an engine that cannot be asked is no reason not to show the command.
  const present = await exists(image.name.ref, opts.env).catch((err: unknown) => {
    if (!opts.dryRun) throw err;
    warn(`warning: ${(err as Error).message}`);
    return true;
  });
  if (!present) await buildOrSay(image, opts, warn);
  if (opts.runsHere && !opts.dryRun) await assertRunnable(image.name.ref, opts.env, warn);
}

async function buildOrSay(image: ImageDef, opts: EnsureOptions, warn: (line: string) => void): Promise<void> {
  const type = image.runs ?? image.type;
  if (opts.build) {
    if (!(await opts.buildImage(type))) throw new DockconvError(`building ${image.name.ref} (image ${type}) failed`);
    return;
  }
  const problem = `image ${image.name.ref} is not on the Docker engine`;
  const build = opts.buildHint?.(type) ?? `nx run ${image.project}:${opts.buildTarget}:${type}`;
  const hint = `build it with ${build}, or run with --build`;
  if (opts.dryRun) warn(`warning: ${problem} (${hint})`);
  else throw new DockconvError(problem, { hint });
}

async function imageExists(ref: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  return (await engineOf(env).inspectImage(ref)) !== undefined;
}
