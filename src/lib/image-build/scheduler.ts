/**
 * Runs image builds in dependency order, up to `parallel` at once. The first failure starts
 * nothing new: its dependents are skipped, independent builds already running finish, and the
 * result names what failed.
 */
export interface ScheduleResult {
  done: string[];
  failed: { id: string; error: unknown }[];
  /** Not started: a parent failed, or a failure stopped the run first. */
  skipped: string[];
}

export async function schedule(
  order: readonly string[],
  parentsOf: (id: string) => readonly string[],
  parallel: number,
  work: (id: string) => Promise<void>,
): Promise<ScheduleResult> {
  const result: ScheduleResult = { done: [], failed: [], skipped: [] };
  const pending = [...order];
  const running = new Map<string, Promise<void>>();
  const limit = Math.max(1, Math.floor(parallel));
  for (;;) {
    startReady(pending, running, result, parentsOf, limit, work);
    if (running.size === 0) break;
    await Promise.race(running.values());
  }
  result.skipped.push(...pending);
  return result;
}

function startReady(
  pending: string[],
  running: Map<string, Promise<void>>,
  result: ScheduleResult,
  parentsOf: (id: string) => readonly string[],
  limit: number,
  work: (id: string) => Promise<void>,
): void {
  if (result.failed.length) return;
  for (let i = 0; i < pending.length && running.size < limit; ) {
    const id = pending[i] ?? '';
    if (!parentsOf(id).every((p) => result.done.includes(p))) {
      i++;
      continue;
    }
    pending.splice(i, 1);
    const task = work(id).then(
      () => void result.done.push(id),
      (error: unknown) => void result.failed.push({ id, error }),
    );
    running.set(id, task.finally(() => running.delete(id)));
  }
}
