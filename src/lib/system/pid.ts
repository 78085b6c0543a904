/**
 * Whether a process still runs: files that carry their writer's pid (temp files, pip.conf
 * holders) are swept only when that writer is gone.
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, it is just not ours to signal.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
