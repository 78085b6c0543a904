/**
 * Running programs (git, docker) without a shell. execa is ESM-only and this package is
 * CommonJS, so it is loaded once through a dynamic import.
 */
import type { Options as ExecaOptions } from 'execa' with { 'resolution-mode': 'import' };

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Throw on a non-zero exit (default true). */
  reject?: boolean;
  stdin?: 'inherit' | 'ignore' | 'pipe';
  input?: string;
}

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

let loaded: Promise<typeof import('execa', { with: { 'resolution-mode': 'import' } })> | undefined;
export function loadExeca(): Promise<typeof import('execa', { with: { 'resolution-mode': 'import' } })> {
  loaded ??= import('execa');
  return loaded;
}

export async function run(file: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const { execa } = await loadExeca();
  const options: ExecaOptions = {
    cwd: opts.cwd,
    env: opts.env,
    reject: opts.reject ?? true,
    stdin: opts.input === undefined ? (opts.stdin ?? 'ignore') : 'pipe',
    input: opts.input,
    stripFinalNewline: true,
  };
  const result = await execa(file, args, options);
  return {
    exitCode: result.exitCode ?? 1,
    stdout: String(result.stdout ?? ''),
    stderr: String(result.stderr ?? ''),
  };
}
