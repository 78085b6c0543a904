/**
 * Things said or decided once per Nx invocation, although its tasks run in separate processes
 * (one per image, plus the aggregates): a mark is a file created exclusively in a folder named
 * after the invocation, so of several tasks asking at once exactly one gets it. Outside Nx (the
 * commands, a direct call) the invocation is this process.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, openSync, closeSync, existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export interface RunMarks {
  /** True for exactly one caller per key in this invocation. */
  claim(key: string): boolean;
  has(key: string): boolean;
}

/** Older folders are from invocations long over: removed when a new one starts. */
const STALE_MS = 24 * 3600 * 1000;

export function runMarks(env: NodeJS.ProcessEnv, root = join(tmpdir(), `dockconv-runs-${uid()}`)): RunMarks {
  const invocation = invocationOf(env);
  const local = new Set<string>();
  if (!invocation) {
    return {
      claim: (key) => !local.has(key) && Boolean(local.add(key)),
      has: (key) => local.has(key),
    };
  }
  const dir = join(root, invocation);
  const file = (key: string) => join(dir, createHash('sha256').update(key).digest('hex').slice(0, 32));
  return {
    claim(key) {
      if (local.has(key)) return false;
      local.add(key);
      if (!existsSync(dir)) {
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        sweep(root, invocation);
      }
      try {
        closeSync(openSync(file(key), 'wx'));
        return true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
        // A mark that cannot be written must not silence anything: say it here.
        return true;
      }
    },
    has: (key) => local.has(key) || existsSync(file(key)),
  };
}

/**
 * The outermost nx process of this task (Nx names it in NX_INVOCATION_ANCESTOR_PIDS), with its
 * start time so that a reused pid is another invocation. Nx versions without that variable:
 * the parent of a task's process is the nx process that forked it.
 */
export function invocationOf(env: NodeJS.ProcessEnv): string | undefined {
  const named = (env['NX_INVOCATION_ANCESTOR_PIDS'] ?? '').split(',')[0];
  const pid = named || (env['NX_TASK_TARGET_PROJECT'] ? String(process.ppid) : '');
  if (!/^\d+$/.test(pid)) return undefined;
  return `${pid}-${startTime(pid) ?? 'x'}`;
}

function startTime(pid: string): string | undefined {
  try {
    // Field 22 of /proc/<pid>/stat, counted after the command name (which may hold spaces).
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function sweep(root: string, keep: string): void {
  try {
    for (const entry of readdirSync(root)) {
      const path = join(root, entry);
      if (entry !== keep && Date.now() - statSync(path).mtimeMs > STALE_MS) rmSync(path, { recursive: true, force: true });
    }
  } catch {
    // Another invocation swept first.
  }
}

function uid(): string {
  try {
    return String(userInfo().uid);
  } catch {
    return 'user';
  }
}
