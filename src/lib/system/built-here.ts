/**
 * Which images this machine built itself. A release must not rest on the shared registry, whose
 * images carry whatever labels their pusher gave them; what an image's labels say, anyone can
 * write. What this machine's own `docker build` produced, from no layers of a shared registry,
 * is the one fact no other machine can fake. It is kept per user, outside the workspace and
 * outside anything Nx caches or restores: one empty file per image ID. An image ID is the digest
 * of the image's config, which names every layer by its content digest, so an image with that ID
 * on any engine (transferred, or pulled back) is the image built here; no engine enters the key.
 */
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export function builtHereDir(env: NodeJS.ProcessEnv): string {
  const cache = env['XDG_CACHE_HOME'] || join(env['HOME'] || homedir(), '.cache');
  return join(cache, 'dockconv', 'built-here');
}

function entry(dir: string, imageId: string): string {
  const [algorithm, hex] = imageId.includes(':') ? imageId.split(':', 2) : ['sha256', imageId];
  return join(dir, `${algorithm}-${hex}`);
}

export function recordBuiltHere(dir: string, imageId: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  closeSync(openSync(entry(dir, imageId), 'a'));
}

export function wasBuiltHere(dir: string, imageId: string): boolean {
  return existsSync(entry(dir, imageId));
}
