/**
 * Whether a Dockerfile's result depends on the git version: only then is the version an input
 * of its build. Images that do not consume it are not rebuilt just because HEAD moved.
 */
import type { DockerfileInfo } from './dockerfile';

export const VERSION_FILE = '_version.py.bld';
export const VERSION_ARGS = ['VERSION', 'GIT_COMMIT'] as const;

export function consumesVersion(info: DockerfileInfo): boolean {
  if (VERSION_ARGS.some((a) => info.declaredArgs.has(a))) return true;
  return info.stages.some((s) => s.copies.some((c) => c.from === undefined && c.sources.some((src) => src.includes(VERSION_FILE))));
}
