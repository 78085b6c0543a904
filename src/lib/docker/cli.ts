/**
 * The docker CLI: every command is printed as one copy-pasteable line before it runs
 *, arguments go as an argv (never through a shell), and output can be streamed
 * with a prefix so parallel builds stay readable.
 */
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { loadExeca } from '../exec';
import { formatCommand, valueOf, type Arg } from '../shown';

export interface DockerCommandOptions {
  /** Print, do not run. */
  dryRun?: boolean;
  /** Prefix for each streamed output line, e.g. `[demo:dev] `. */
  prefix?: string;
  /** Attach the terminal (docker run -it). Output is then not prefixed. */
  interactive?: boolean;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Where printed command lines go (default: stdout). */
  print?: (line: string) => void;
  /** Aborting kills docker (SIGTERM, then SIGKILL). */
  signal?: AbortSignal;
  /** What docker reads on stdin, and the shell that makes it (printed before `| docker …`). */
  stdin?: { text: string; shown: string };
  /** Keep stderr instead of streaming it, so the caller can turn it into one clear line. */
  captureStderr?: boolean;
}

export interface DockerCommandResult {
  exitCode: number;
  /** Captured stdout (not for interactive commands). */
  stdout: string;
  /** Captured stderr, with `captureStderr` only. */
  stderr: string;
}

export function dockerBinary(env: NodeJS.ProcessEnv = process.env): string {
  return env['DOCKCONV_DOCKER'] ?? 'docker';
}

export function showCommand(args: readonly Arg[], opts: Pick<DockerCommandOptions, 'print' | 'prefix' | 'env' | 'stdin'> = {}): void {
  const print = opts.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const from = opts.stdin ? `${opts.stdin.shown} | ` : '';
  print(`${opts.prefix ?? ''}$ ${from}${formatCommand([dockerBinary(opts.env), ...args])}`);
}

export async function docker(args: readonly Arg[], opts: DockerCommandOptions = {}): Promise<DockerCommandResult> {
  showCommand(args, opts);
  if (opts.dryRun) return { exitCode: 0, stdout: '', stderr: '' };
  const { execa } = await loadExeca();
  const child = execa(dockerBinary(opts.env), args.map(valueOf), {
    env: opts.env,
    cwd: opts.cwd,
    reject: false,
    stdio: opts.interactive ? 'inherit' : [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    ...(opts.stdin ? { input: opts.stdin.text } : {}),
    cancelSignal: opts.signal,
    forceKillAfterDelay: 5000,
  });
  const captured: string[] = [];
  const errors: string[] = [];
  if (!opts.interactive) {
    stream(child.stdout, process.stdout, opts.prefix, captured);
    if (opts.captureStderr && child.stderr) createInterface({ input: child.stderr }).on('line', (line) => errors.push(line));
    else stream(child.stderr, process.stderr, opts.prefix, undefined, withoutLegacyBanner());
  }
  const result = await child;
  return { exitCode: result.exitCode ?? (result.isCanceled ? 130 : 1), stdout: captured.join('\n'), stderr: errors.join('\n') };
}

function stream(from: Readable | null, to: NodeJS.WriteStream, prefix = '', capture?: string[], keep: (line: string) => boolean = () => true): void {
  if (!from) return;
  createInterface({ input: from }).on('line', (line) => {
    if (!keep(line)) return;
    capture?.push(line);
    to.write(`${prefix}${line}\n`);
  });
}

/**
 * Docker 23+ prints a deprecation banner on every legacy build, telling the user to unset
 * DOCKER_BUILDKIT=0 or install buildx. The plugin chose the legacy builder itself (the client
 * cannot drive BuildKit, or the user asked for it), so the banner is only noise per image:
 * it and its indented continuation lines and the blank line after it are dropped.
 */
function withoutLegacyBanner(): (line: string) => boolean {
  let inBanner = false;
  return (line) => {
    if (line.startsWith('DEPRECATED: The legacy builder is deprecated')) return !(inBanner = true);
    if (inBanner && (line.startsWith(' ') || line === '')) {
      if (line === '') inBanner = false;
      return false;
    }
    inBanner = false;
    return true;
  };
}
