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

/** The image's layers (diff IDs), base first: the same on every image store and builder. */
export function imageLayers(ref: string): string[] {
  return JSON.parse(docker(['image', 'inspect', '--format', '{{json .RootFS.Layers}}', ref])) as string[];
}

/**
 * Whether `child` was built on `parent` as the engine holds it now: its layers begin with the
 * parent's. Image IDs cannot say it: the containerd store's history lists no parent IDs.
 */
export function isBuiltOn(child: string, parent: string): boolean {
  const [below, above] = [imageLayers(parent), imageLayers(child)];
  return below.length > 0 && below.every((layer, i) => above[i] === layer);
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

/**
 * A user-defined network whose containers reach each other on every engine here. An engine
 * started without iptables (a second engine beside the machine's own, scripts/modern-engine.sh)
 * adds no FORWARD rules for its bridges, while the machine's engine set FORWARD's policy to DROP
 * and bridged traffic passes through iptables (br_netfilter): so such a network gets one ACCEPT
 * rule for its own bridge, removed with it.
 */
export function createNetwork(name: string): void {
  const bridge = `dcnet${process.pid % 100000}`;
  docker(['network', 'create', '--opt', `com.docker.network.bridge.name=${bridge}`, name]);
  const forward = iptables(['-S', 'FORWARD']);
  if (forward === undefined || !forward.includes('-P FORWARD DROP') || forward.includes(bridge)) return;
  iptables(['-I', 'FORWARD', '-i', bridge, '-o', bridge, '-j', 'ACCEPT', '-m', 'comment', '--comment', `dockconv-e2e ${name}`]);
}

export function removeNetwork(name: string): void {
  const rules = iptables(['-S', 'FORWARD']) ?? '';
  for (const rule of rules.split('\n').filter((r) => r.includes(`dockconv-e2e ${name}`))) {
    iptables(['-D', ...(rule.replace(/^-A /, '').match(/"[^"]*"|\S+/g) ?? []).map((w) => w.replace(/^"|"$/g, ''))]);
  }
  try {
    docker(['network', 'rm', name]);
  } catch {
    // not created
  }
}

function iptables(args: string[]): string | undefined {
  try {
    return execFileSync('iptables', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return undefined;
  }
}
