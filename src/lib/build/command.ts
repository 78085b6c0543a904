/**
 * The `docker build` command lines, pure: paths relative to the workspace root (where nx runs),
 * so a printed line can be pasted there as is.
 */
import type { Arg, Shown } from '../shown';
import { buildArgFlags } from './build-args';

export type Builder = 'buildkit' | 'legacy';

export interface BuildCommand {
  /** Dockerfile path relative to the workspace root. */
  dockerfile: string;
  /** Build context (the project root) relative to the workspace root; `.` for a root project. */
  context: string;
  ref: string;
  target?: string;
  buildArgs: ReadonlyMap<string, Shown>;
  flags: readonly Shown[];
  labels: Readonly<Record<string, string>>;
  noCache?: boolean;
  pull?: boolean;
  builder: Builder;
}

export function buildCommand(c: BuildCommand): Arg[] {
  return [
    'build',
    '-f',
    c.dockerfile,
    ...(c.target ? ['--target', c.target] : []),
    '-t',
    c.ref,
    ...buildArgFlags(c.buildArgs),
    ...Object.entries(c.labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]),
    ...(c.noCache ? ['--no-cache'] : []),
    ...(c.pull ? ['--pull'] : []),
    // The legacy builder otherwise keeps the container of a failed step; BuildKit has none.
    ...(c.builder === 'legacy' ? ['--force-rm'] : ['--progress=plain']),
    ...c.flags,
    c.context,
  ];
}
