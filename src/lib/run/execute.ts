/**
 * Runs the `docker run` command with the terminal attached (so an interactive shell works from
 * `nx run`), stops the container on Ctrl-C or SIGTERM, and hands back the container's exit code.
 * Arguments go to docker as an argv: no value ever passes through a shell.
 */
import { engineOf } from '../docker/engine';
import type { RunCommand } from './command';

export interface ExecuteOptions {
  dryRun: boolean;
  env: NodeJS.ProcessEnv;
  /** Seconds `docker stop` waits before killing the container. */
  stopTimeout?: number;
}

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** The exit code of `docker run`: the container's, or docker's own (125) when it could not start. */
export async function executeRun(command: RunCommand, opts: ExecuteOptions): Promise<number> {
  if (opts.dryRun || command.detached) {
    return (await engineOf(opts.env).command(command.argv, { dryRun: opts.dryRun, interactive: true })).exitCode;
  }
  const stop = stopper(command.name, opts);
  for (const signal of STOP_SIGNALS) process.on(signal, stop.handler);
  try {
    const { exitCode } = await engineOf(opts.env).command(command.argv, { interactive: true });
    await stop.done;
    return exitCode;
  } finally {
    for (const signal of STOP_SIGNALS) process.off(signal, stop.handler);
  }
}

/**
 * Docker forwards signals to the container itself (sig-proxy) and a TTY sends ^C as a key, but a
 * process that ignores SIGINT would leave the container running. Nx, on Ctrl-C, kills this
 * process and everything it started, so the stop is one request from this process (the engine seam);
 * only when that request fails (the engine unreachable from here) does a detached `docker stop` run.
 * `--rm` then removes the container, on the daemon side.
 */
function stopper(name: string, opts: ExecuteOptions): { handler: (signal: NodeJS.Signals) => void; done: Promise<void> } {
  let done: Promise<void> = Promise.resolve();
  let stopping = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    const seconds = opts.stopTimeout ?? 10;
    const args = ['stop', '--time', String(seconds), name];
    printSafely(`\n${signal}: stopping container ${name}`);
    const engine = engineOf(opts.env);
    engine.show(args, { print: printSafely });
    done = engine.stopContainer(name, seconds).catch((err: unknown) => {
      printSafely(`stopping through the engine API failed (${(err as Error).message}); running docker stop`);
      return engine.detached(args);
    });
  };
  return { handler, get done() { return done; } };
}

/** The terminal or Nx's pipe may already be gone while stopping: printing must not throw. */
function printSafely(line: string): void {
  try {
    process.stderr.write(`${line}\n`, () => undefined);
  } catch {
    // nowhere to print to
  }
}
