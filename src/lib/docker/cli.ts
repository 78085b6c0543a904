/**
 * The docker CLI: every command is printed as one copy-pasteable line before it runs
 *, arguments go as an argv (never through a shell), and output can be streamed
 * with a prefix so parallel builds stay readable.
 */
import { runProcess, type ProcessResult } from '../system/process';
import { formatCommand, valueOf, type Arg } from '../text/shown';

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

/** Captured stdout (not for interactive commands); captured stderr with `captureStderr` only. */
export type DockerCommandResult = Pick<ProcessResult, 'exitCode' | 'stdout' | 'stderr'>;

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
  const result = await runProcess(dockerBinary(opts.env), args.map(valueOf), {
    env: opts.env,
    cwd: opts.cwd,
    output: opts.interactive ? 'terminal' : 'stream',
    ...(opts.prefix === undefined ? {} : { prefix: opts.prefix }),
    ...(opts.captureStderr ? { captureStderr: true } : { keepStderrLine: withoutLegacyBanner() }),
    ...(opts.stdin ? { input: opts.stdin.text } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
}

/** A docker command that outlives this process (see runProcess's `detached`), shown nowhere. */
export async function dockerDetached(args: readonly string[], env: NodeJS.ProcessEnv): Promise<void> {
  await runProcess(dockerBinary(env), args, { env, output: 'detached' });
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
