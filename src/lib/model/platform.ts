/**
 * Platforms (`os/arch[/variant]`, as `docker build --platform` takes them): which machines an
 * image runs on, and which an engine runs. One rule for the build, run and transfer.
 */
import { existsSync, readFileSync } from 'node:fs';
import { DockconvError, type Location } from '../errors';

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

const PLATFORM = /^([a-z0-9]+)\/([a-z0-9_]+)(?:\/([a-z0-9]+))?$/;

/** What `uname -m` (an engine's `docker info` Architecture) says → the image architecture. */
const MACHINES: Record<string, [string, string?]> = {
  x86_64: ['amd64'],
  amd64: ['amd64'],
  aarch64: ['arm64'],
  arm64: ['arm64'],
  armv7l: ['arm', 'v7'],
  armv6l: ['arm', 'v6'],
  i386: ['386'],
  i686: ['386'],
};

/** Image architecture → the qemu-user binfmt handler that runs it. */
const QEMU: Record<string, string> = { amd64: 'x86_64', arm64: 'aarch64', arm: 'arm', '386': 'i386', ppc64le: 'ppc64le', s390x: 's390x', riscv64: 'riscv64', mips64le: 'mips64el', loong64: 'loongarch64' };

export function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

export function parsePlatform(text: string, where: Location = {}): Platform {
  const m = PLATFORM.exec(text.trim().toLowerCase());
  if (!m?.[1] || !m[2]) throw new DockconvError(`'${text}' is not a platform`, { ...where, hint: 'write os/arch[/variant], e.g. linux/amd64 or linux/arm64' });
  // arm64's only variant is v8, which docker leaves out; say it one way.
  const variant = m[2] === 'arm64' && m[3] === 'v8' ? undefined : m[3];
  return { os: m[1], architecture: m[2], ...(variant ? { variant } : {}) };
}

/** A list as run.cfg or an option gives it (commas or spaces), each once, in the order given. */
export function parsePlatforms(text: string, where: Location = {}): string[] {
  const parsed = text.split(/[\s,]+/).filter(Boolean).map((t) => formatPlatform(parsePlatform(t, where)));
  return [...new Set(parsed)];
}

/** The platform an engine runs natively, from its `docker info` (`OSType`, `Architecture`). */
export function enginePlatform(info: { OSType?: string; Architecture?: string }): Platform {
  const [architecture, variant] = MACHINES[info.Architecture ?? ''] ?? [info.Architecture ?? 'unknown'];
  return { os: info.OSType ?? 'linux', architecture, ...(variant ? { variant } : {}) };
}

/** Whether an image made for `image` is for `wanted` (no variant asked: any variant). */
export function samePlatform(image: Platform, wanted: Platform): boolean {
  return image.os === wanted.os && image.architecture === wanted.architecture && (!wanted.variant || !image.variant || image.variant === wanted.variant);
}

/**
 * Whether this machine's kernel runs programs of that architecture through an emulator it has
 * registered (binfmt_misc, Debian's qemu-user-static): only then can an engine here run a
 * foreign image. Read from this machine, so it says nothing about a remote engine.
 */
export function emulated(p: Platform, binfmt = '/proc/sys/fs/binfmt_misc'): boolean {
  const handler = QEMU[p.architecture];
  if (!handler) return false;
  const file = `${binfmt}/qemu-${handler}`;
  return existsSync(file) && readFileSync(file, 'utf8').startsWith('enabled');
}
