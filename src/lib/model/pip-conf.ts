/**
 * pip.conf.template → pip.conf for the duration of a build, removed afterwards, also on failure
 * and interrupt. Any pip.conf that was there before (a file, a symlink, even a dangling one, a
 * directory) belongs to the user and is never touched.
 *
 * Several builds of one project may run at once (parallel Nx tasks are separate processes), so
 * the file is shared, without a lock: each build registers a holder file, then checks that no
 * build is leaving; a leaving build removes its holder, marks itself as leaving, then removes
 * pip.conf only if no holder is left. Whichever of the two checks runs second sees the other's
 * mark, so pip.conf is never removed under a build that counted on it, and the last build to
 * leave removes it. Files of processes that are gone (killed) are ignored. The pip.conf created
 * here is recognised by its inode and modification time, so a file the user put in its place is
 * left alone.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, linkSync, lstatSync, mkdirSync, readdirSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isProcessAlive } from '../system/pid';

export const PIP_CONF = 'pip.conf';
export const PIP_CONF_TEMPLATE = 'pip.conf.template';

export interface PipConfHold {
  /** Idempotent; synchronous so that a signal handler can call it. */
  release(): void;
}

/** True when a build would create pip.conf from the template. */
export function pipConfFromTemplate(projectRootAbs: string): boolean {
  return existsSync(join(projectRootAbs, PIP_CONF_TEMPLATE)) && !present(join(projectRootAbs, PIP_CONF));
}

export async function holdPipConf(projectRootAbs: string): Promise<PipConfHold | undefined> {
  const template = join(projectRootAbs, PIP_CONF_TEMPLATE);
  const target = join(projectRootAbs, PIP_CONF);
  const state = stateDir(projectRootAbs);
  if (!existsSync(template) || usersOwn(target, state)) return undefined;
  const me = `${process.pid}-${Math.random().toString(36).slice(2)}`;
  const holder = join(state, `holder-${me}`);
  for (;;) {
    touch(holder, state);
    if (!anyLive(state, 'closing-')) break;
    rmSync(holder, { force: true });
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  try {
    create(template, target, state);
  } catch (err) {
    rmSync(holder, { force: true });
    throw err;
  }
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      rmSync(holder, { force: true });
      const closing = join(state, `closing-${me}`);
      touch(closing, state);
      try {
        if (!anyLive(state, 'holder-')) removeCreated(target, state);
      } finally {
        rmSync(closing, { force: true });
        tidy(state);
      }
    },
  };
}

/** Exists, without following a symlink: a dangling one is there too. */
function present(path: string): boolean {
  return lstatSync(path, { throwIfNoEntry: false }) !== undefined;
}

function stateDir(projectRootAbs: string): string {
  return join(tmpdir(), 'dockconv-pip-conf', createHash('sha1').update(projectRootAbs).digest('hex').slice(0, 16));
}

/** Writes an empty file, making the folder again if a leaving build just removed it. */
function touch(path: string, dir: string): void {
  try {
    writeFileSync(path, '');
  } catch {
    mkdirSync(dir, { recursive: true });
    writeFileSync(path, '');
  }
}

/** Whether a file with this prefix belongs to a process still alive; those of dead ones go. */
function anyLive(dir: string, prefix: string): boolean {
  let alive = false;
  for (const name of readdirSync(dir).filter((n) => n.startsWith(prefix))) {
    if (isProcessAlive(Number(name.slice(prefix.length).split('-')[0]))) alive = true;
    else rmSync(join(dir, name), { force: true });
  }
  return alive;
}

function identity(path: string): string | undefined {
  const st = lstatSync(path, { bigint: true, throwIfNoEntry: false });
  return st?.isFile() ? `created-${st.dev}-${st.ino}-${st.mtimeNs}` : undefined;
}

/**
 * A pip.conf not made here. A leaving build removes the file before its marker, so one seen
 * without a marker is the user's only if it is still there after the marker was looked for.
 */
function usersOwn(path: string, state: string): boolean {
  const before = lstatSync(path, { bigint: true, throwIfNoEntry: false });
  if (!before) return false;
  const id = identity(path);
  if (id !== undefined && existsSync(join(state, id))) return false;
  const after = lstatSync(path, { bigint: true, throwIfNoEntry: false });
  // Inodes are reused at once: a new pip.conf made in between may have the old one's number.
  return after?.ino === before.ino && after.mtimeNs === before.mtimeNs && after.ctimeNs === before.ctimeNs;
}

/** A link never replaces what is there (file, symlink, folder), so a user's pip.conf is safe. */
function create(template: string, target: string, state: string): void {
  if (present(target)) return;
  const temp = `${target}.${process.pid}.tmp`;
  copyFileSync(template, temp);
  const marker = join(state, identity(temp) ?? '');
  try {
    touch(marker, state);
    linkSync(temp, target);
  } catch (err) {
    rmSync(marker, { force: true });
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    rmSync(temp, { force: true });
  }
}

function removeCreated(target: string, state: string): void {
  const id = identity(target);
  if (id === undefined || !existsSync(join(state, id))) return;
  rmSync(target, { force: true });
  rmSync(join(state, id), { force: true });
}

/** The state folder goes when it is empty; rmdir refuses one a build just registered in. */
function tidy(state: string): void {
  try {
    rmdirSync(state);
  } catch {
    // not empty: another build holds or is leaving
  }
}
