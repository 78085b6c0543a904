/**
 * A docker that logs every call before running the real one, set as DOCKCONV_DOCKER: what the
 * plugin asked docker to build, whatever the builder and image store (BuildKit writing into the
 * containerd store sends no tag events).
 */
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface DockerLog {
  /** Set as DOCKCONV_DOCKER. */
  path: string;
  calls(): string[];
  reset(): void;
}

export function loggingDocker(): DockerLog {
  const dir = mkdtempSync(join(tmpdir(), 'dockconv-docker-log-'));
  const log = join(dir, 'calls.log');
  const path = join(dir, 'docker');
  writeFileSync(path, `#!/bin/sh\necho "$*" >> '${log}'\nexec docker "$@"\n`);
  chmodSync(path, 0o755);
  writeFileSync(log, '');
  return { path, calls: () => readFileSync(log, 'utf8').split('\n').filter(Boolean), reset: () => writeFileSync(log, '') };
}

/** The references `docker build` calls tagged (`-t`), one entry per call. */
export function builtRefs(calls: readonly string[]): string[] {
  return calls.filter(isBuild).flatMap((c) => [...c.matchAll(/(?:^|\s)(?:-t|--tag)[ =](\S+)/g)].map((m) => m[1] ?? ''));
}

export function isBuild(call: string): boolean {
  return /^(build|buildx build|image build)\s/.test(call);
}
