/**
 * Before a container starts: an image made for another platform than the engine's runs only
 * where the machine emulates that platform; anywhere else the container dies at once with "exec
 * format error". That is said first, in one line, instead.
 */
import { DockconvError } from '../errors';
import { currentEngine } from '../docker/endpoint';
import { emulated, enginePlatform, formatPlatform, samePlatform, type Platform } from '../model/platform';
import { engineOf } from '../docker/engine';

export type RunVerdict = 'native' | 'emulated' | 'unknown' | 'refused';

/** `emulation`: whether the engine's machine emulates the image's platform; unknown for a remote engine. */
export function runVerdict(image: Platform, engine: Platform, emulation: boolean | undefined): RunVerdict {
  if (samePlatform(image, engine)) return 'native';
  if (emulation === undefined) return 'unknown';
  return emulation ? 'emulated' : 'refused';
}

export async function assertRunnable(ref: string, env: NodeJS.ProcessEnv, warn: (line: string) => void): Promise<void> {
  const docker = engineOf(env);
  const [image, facts] = await Promise.all([docker.imagePlatform(ref), docker.facts()]);
  if (!image) return; // not there: docker run pulls it, or says so
  const engine = enginePlatform({ OSType: facts.os, Architecture: facts.architecture });
  const what = `${ref} is for ${formatPlatform(image)} and this engine runs ${formatPlatform(engine)}`;
  const verdict = runVerdict(image, engine, currentEngine(env).local ? emulated(image) : undefined);
  if (verdict === 'refused') {
    throw new DockconvError(`${what}, with no emulator for it on this machine: the container would end in "exec format error"`, {
      hint: `build it for ${formatPlatform(engine)} too (run.cfg platforms, or --platforms), or register an emulator (Debian: qemu-user-static)`,
    });
  }
  if (verdict === 'unknown') warn(`warning: ${what}; it runs only if that machine emulates ${formatPlatform(image)}`);
}
