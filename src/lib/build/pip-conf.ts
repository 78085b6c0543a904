/**
 * pip.conf.template → pip.conf for the duration of a build (SPEC §2.9), removed afterwards,
 * also on failure and interrupt. Several builds of one project may run at once (parallel Nx
 * tasks are separate processes), so the file is shared: each build registers as a holder,
 * and the last holder to leave removes it. A pip.conf we did not create is never touched.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isProcessAlive } from '../pid';

export const PIP_CONF = 'pip.conf';
export const PIP_CONF_TEMPLATE = 'pip.conf.template';
const OWNED = 'owned';
const LOCK_STALE_MS = 30_000;

export interface PipConfHold {
  /** Idempotent; synchronous so that a signal handler can call it. */
  release(): void;
}

/** True when a build would create pip.conf from the template. */
export function pipConfFromTemplate(projectRootAbs: string): boolean {
  return existsSync(join(projectRootAbs, PIP_CONF_TEMPLATE)) && !existsSync(join(projectRootAbs, PIP_CONF));
}

export function holdPipConf(projectRootAbs: string): PipConfHold | undefined {
  const template = join(projectRootAbs, PIP_CONF_TEMPLATE);
  if (!existsSync(template)) return undefined;
  const dir = holdersDir(projectRootAbs);
  const me = join(dir, `${process.pid}-${Math.random().toString(36).slice(2)}`);
  withLock(dir, () => {
    const target = join(projectRootAbs, PIP_CONF);
    if (!existsSync(target)) {
      const temp = `${target}.${process.pid}.tmp`;
      copyFileSync(template, temp);
      renameSync(temp, target);
      writeFileSync(join(dir, OWNED), '');
    }
    writeFileSync(me, String(process.pid));
  });
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      withLock(dir, () => {
        rmSync(me, { force: true });
        if (liveHolders(dir).length === 0 && existsSync(join(dir, OWNED))) {
          rmSync(join(projectRootAbs, PIP_CONF), { force: true });
          rmSync(join(dir, OWNED), { force: true });
        }
      });
    },
  };
}

function holdersDir(projectRootAbs: string): string {
  const dir = join(tmpdir(), 'dockconv-pip-conf', createHash('sha1').update(projectRootAbs).digest('hex').slice(0, 16));
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Holder files of processes still alive; those of killed processes are dropped. */
function liveHolders(dir: string): string[] {
  return readdirSync(dir).filter((name) => {
    if (name === OWNED) return false;
    const pid = Number(name.split('-')[0]);
    if (isProcessAlive(pid)) return true;
    rmSync(join(dir, name), { force: true });
    return false;
  });
}


/** A mkdir lock: atomic across processes; a lock older than 30 s is from a killed process. */
function withLock(dir: string, body: () => void): void {
  const lock = `${dir}.lock`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (isStale(lock) || Date.now() > deadline) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    }
  }
  try {
    body();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function isStale(lock: string): boolean {
  try {
    return Date.now() - statSync(lock).mtimeMs > LOCK_STALE_MS;
  } catch {
    return false;
  }
}
