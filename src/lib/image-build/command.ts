/**
 * The `docker build` command lines, pure: paths relative to the workspace root (where nx runs),
 * so a printed line can be pasted there as is.
 */
import { endsInContinuation } from '../model/dockerfile';
import { formatCommand, quoteForReading, type Arg, type Shown } from '../text/shown';
import { buildArgFlags } from './build-args';
import { labelInstruction } from './labels';
import type { Builder } from '../docker/engine';


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
  /** The Dockerfile's text: with it the legacy builder can get the labels in one step (below). */
  dockerfileText?: string;
  noCache?: boolean;
  pull?: boolean;
  builder: Builder;
}

export interface BuildInvocation {
  args: Arg[];
  /** The Dockerfile docker reads from stdin (`-f -`), and the shell that makes it, for printing. */
  stdin?: { text: string; shown: string };
}

/**
 * The legacy builder commits every `--label` as a step of its own (≈ 50 ms each, seven per
 * image); one `LABEL` line after the Dockerfile, fed on stdin, is one step. A build of a named
 * stage keeps the flags: a line at the end would label the last stage, not that one.
 */
export function buildInvocation(c: BuildCommand): BuildInvocation {
  const text = c.builder === 'legacy' && !c.target ? c.dockerfileText : undefined;
  const line = text === undefined || endsInContinuation(text) ? undefined : labelInstruction(c.labels);
  if (text === undefined || line === undefined) return { args: buildCommand(c, c.dockerfile, c.labels) };
  // printf, not echo: some shells' echo expands backslashes.
  return {
    args: buildCommand(c, '-', {}),
    stdin: { text: `${text}\n${line}\n`, shown: `{ cat ${formatCommand([c.dockerfile])}; printf '\\n%s\\n' ${quoteForReading(line)}; }` },
  };
}

function buildCommand(c: BuildCommand, dockerfile: string, labels: Readonly<Record<string, string>>): Arg[] {
  return [
    'build',
    '-f',
    dockerfile,
    ...(c.target ? ['--target', c.target] : []),
    '-t',
    c.ref,
    ...buildArgFlags(c.buildArgs),
    ...Object.entries(labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]),
    ...(c.noCache ? ['--no-cache'] : []),
    ...(c.pull ? ['--pull'] : []),
    // The legacy builder otherwise keeps the container of a failed step; BuildKit has none.
    ...(c.builder === 'legacy' ? ['--force-rm'] : ['--progress=plain']),
    ...c.flags,
    c.context,
  ];
}
