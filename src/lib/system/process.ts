/**
 * The one way this package runs a program (docker, git, a build script): without a shell, the
 * arguments as an argv, and one result shape whatever the program. How the output is handled
 * picks the mechanism:
 * - `capture` (quiet questions: `docker image inspect`, `git describe`) uses node's execFile. An
 *   up-to-date check is a handful of these, and loading execa would cost more than all of them in
 *   a task that builds nothing.
 * - `stream` and `terminal` (builds, pushes, `docker run`) use execa for its cancel signal with a
 *   kill that escalates, and for stdin input.
 * - `detached` starts a program that outlives this process (a `docker stop` sent while Nx kills
 *   the task's process tree) and waits for it as long as this process lives.
 * execa is ESM-only and this package is CommonJS, so it is loaded once through a dynamic import.
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

export interface ProcessResult {
  /** The program's exit code; 127 when there is no such program, 130 when the signal cancelled it. */
  exitCode: number;
  /** Captured stdout, trimmed (terminal and detached runs capture nothing). */
  stdout: string;
  /** Captured stderr (with `capture`, or `stream` and `captureStderr`). */
  stderr: string;
  /** The `signal` aborted the program. */
  canceled: boolean;
  /** The signal that ended the program, when one did (then `exitCode` is 1, or 130 if cancelled). */
  signal?: string;
}

export interface ProcessOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** `capture` (the default) keeps output and shows nothing; see the module comment for the others. */
  output?: 'capture' | 'stream' | 'terminal' | 'detached';
  /** `stream`: put before each shown line, so parallel work stays readable. */
  prefix?: string;
  /** `stream`: keep stderr for the caller instead of showing it. */
  captureStderr?: boolean;
  /** `stream`: drop stderr lines this refuses. */
  keepStderrLine?: (line: string) => boolean;
  /** What the program reads on stdin (`stream` and `terminal`; otherwise stdin is closed). */
  input?: string;
  /** Aborting kills the program: SIGTERM, then SIGKILL after `killAfterMs` (default 5 s). */
  signal?: AbortSignal;
  killAfterMs?: number;
}

export function runProcess(file: string, args: readonly string[], opts: ProcessOptions = {}): Promise<ProcessResult> {
  switch (opts.output ?? 'capture') {
    case 'capture':
      return captured(file, args, opts);
    case 'detached':
      return detached(file, args, opts);
    default:
      return supervised(file, args, opts);
  }
}

function captured(file: string, args: readonly string[], opts: ProcessOptions): Promise<ProcessResult> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd: opts.cwd, env: opts.env, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve(capturedResult(file, err, stdout, stderr));
    });
  });
}

/**
 * `capture`, for the few questions asked where nothing can wait (ssh's configuration while a
 * connection is being set up, the git version an Nx hook needs before it returns).
 */
export function runProcessSync(file: string, args: readonly string[], opts: Pick<ProcessOptions, 'cwd' | 'env'> = {}): ProcessResult {
  try {
    const stdout = execFileSync(file, args, { cwd: opts.cwd, env: opts.env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return capturedResult(file, null, stdout, '');
  } catch (err) {
    const failed = err as NodeJS.ErrnoException & { status?: number | null; stdout?: string; stderr?: string };
    return capturedResult(file, { code: failed.code === 'ENOENT' ? 'ENOENT' : (failed.status ?? 1) }, failed.stdout ?? '', failed.stderr ?? '');
  }
}

function capturedResult(file: string, err: { code?: string | number | null } | null, stdout: string, stderr: string): ProcessResult {
  const missing = err?.code === 'ENOENT';
  const exitCode = !err ? 0 : missing ? 127 : typeof err.code === 'number' ? err.code : 1;
  return { exitCode, stdout: stdout.trim(), stderr: stderr.trim() || (missing ? `${file}: command not found` : ''), canceled: false };
}

function detached(file: string, args: readonly string[], opts: ProcessOptions): Promise<ProcessResult> {
  const child = spawn(file, args, { cwd: opts.cwd, env: opts.env, detached: true, stdio: 'ignore' });
  child.unref();
  return new Promise((resolve) => {
    const done = (exitCode: number) => resolve({ exitCode, stdout: '', stderr: '', canceled: false });
    child.on('close', (code) => done(code ?? 1)).on('error', () => done(1));
  });
}

type Execa = typeof import('execa', { with: { 'resolution-mode': 'import' } });
let execaModule: Promise<Execa> | undefined;

async function supervised(file: string, args: readonly string[], opts: ProcessOptions): Promise<ProcessResult> {
  execaModule ??= import('execa');
  const { execa } = await execaModule;
  const terminal = opts.output === 'terminal';
  const child = execa(file, [...args], {
    cwd: opts.cwd,
    env: opts.env,
    reject: false,
    stdio: terminal ? 'inherit' : [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    ...(opts.input === undefined ? {} : { input: opts.input }),
    cancelSignal: opts.signal,
    forceKillAfterDelay: opts.killAfterMs ?? 5000,
  });
  const out: string[] = [];
  const errors: string[] = [];
  if (!terminal) {
    showLines(child.stdout, process.stdout, opts.prefix, out);
    if (opts.captureStderr) collectLines(child.stderr, errors);
    else showLines(child.stderr, process.stderr, opts.prefix, undefined, opts.keepStderrLine);
  }
  const result = await child;
  return {
    exitCode: result.exitCode ?? (result.isCanceled ? 130 : 1),
    stdout: out.join('\n'),
    stderr: errors.join('\n'),
    canceled: result.isCanceled,
    ...(result.signal ? { signal: result.signal } : {}),
  };
}

function showLines(from: Readable | null, to: NodeJS.WriteStream, prefix = '', keep?: string[], accept: (line: string) => boolean = () => true): void {
  if (!from) return;
  createInterface({ input: from }).on('line', (line) => {
    if (!accept(line)) return;
    keep?.push(line);
    to.write(`${prefix}${line}\n`);
  });
}

function collectLines(from: Readable | null, into: string[]): void {
  if (from) createInterface({ input: from }).on('line', (line) => into.push(line));
}
