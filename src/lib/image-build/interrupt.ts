/**
 * Ctrl-C and SIGTERM during builds: abort what runs (docker is killed through the signal) and
 * undo what a build put in the project (pip.conf) right in the handler, synchronously, since
 * the parent (nx) may not wait long before it kills this process.
 */
export interface Interrupts {
  signal: AbortSignal;
  /** Registers a synchronous cleanup run on interrupt; returns its unregister function. */
  onInterrupt(cleanup: () => void): () => void;
  dispose(): void;
}

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export function installInterrupts(): Interrupts {
  const controller = new AbortController();
  const cleanups = new Set<() => void>();
  const handler = (signal: NodeJS.Signals): void => {
    process.stderr.write(`\n${signal}: stopping the build\n`);
    controller.abort(new Error(`interrupted by ${signal}`));
    for (const cleanup of cleanups) runQuietly(cleanup);
    cleanups.clear();
    // docker exits within its kill delay; do not outlive it if something hangs.
    setTimeout(() => process.exit(130), 8000).unref();
  };
  for (const s of SIGNALS) process.on(s, handler);
  return {
    signal: controller.signal,
    onInterrupt(cleanup) {
      cleanups.add(cleanup);
      return () => cleanups.delete(cleanup);
    },
    dispose() {
      for (const s of SIGNALS) process.off(s, handler);
    },
  };
}

function runQuietly(cleanup: () => void): void {
  try {
    cleanup();
  } catch {
    // An interrupt still stops the build; a cleanup that failed is not worth a second error.
  }
}
