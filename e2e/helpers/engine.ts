/**
 * The real Docker engine the e2e tests use: reuse one that answers, else start Debian's
 * dockerd (scripts/ensure-docker.sh), plus the shared FROM-scratch busybox base image.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export const REPO_ROOT = join(__dirname, '..', '..');
/** Stands in for a public base image (python:…, debian:…) in test Dockerfiles. */
export const BUSYBOX_IMAGE = 'dockconv-busybox:latest';

let ready = false;
export function ensureEngine(): void {
  if (ready) return;
  execFileSync('bash', [join(REPO_ROOT, 'scripts/ensure-docker.sh')], { stdio: 'inherit' });
  execFileSync('bash', [join(REPO_ROOT, 'scripts/busybox-image.sh'), BUSYBOX_IMAGE], { stdio: 'inherit' });
  ready = true;
}

export function docker(args: string[], env: NodeJS.ProcessEnv = process.env): string {
  return execFileSync('docker', args, { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** The image ID, or undefined when the engine does not have the image. */
export function imageIdOf(ref: string): string | undefined {
  try {
    return docker(['image', 'inspect', '--format', '{{.Id}}', ref]);
  } catch {
    return undefined;
  }
}

export function removeImages(refs: string[]): void {
  for (const ref of refs) {
    try {
      docker(['rmi', '-f', ref]);
    } catch {
      // already gone
    }
  }
}
