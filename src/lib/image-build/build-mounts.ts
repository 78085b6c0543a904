/**
 * Build secrets and ssh agents handed to BuildKit (`--secret`, `--ssh`). What is written, printed
 * and digested is where a secret comes from (a file's path, a variable's name), never its value:
 * BuildKit reads the value itself and mounts it only into the `RUN --mount=type=secret` steps
 * that ask, so it is in no layer, history entry or label.
 *
 *   secrets = id=npmrc,src=~/.npmrc id=token,env=GITHUB_TOKEN
 *   ssh = default                          (the agent SSH_AUTH_SOCK names)
 *   ssh = default=~/.ssh/id_ed25519 deploy=keys/deploy_key
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, relative } from 'node:path';
import { DockconvError, type Location } from '../errors';
import { splitWords } from '../text/shell-words';

export interface BuildMounts {
  /** `--secret` values: `id=…,src=…` or `id=…,env=…`. */
  secrets: string[];
  /** `--ssh` values: `default`, `default=path[,path]` or `id=path[,path]`. */
  ssh: string[];
}

export const NO_MOUNTS: BuildMounts = { secrets: [], ssh: [] };

/** Where relative paths start, and where the build runs (printed paths are relative to it). */
export interface MountPaths {
  base: string;
  cwd: string;
}

const ID = /^[A-Za-z0-9_.-]+$/;
const SECRET_FORMS = 'write id=NAME,src=PATH (a file) or id=NAME,env=VAR (a variable)';

/** One `--secret` value from `id=…,src=…|env=…` (also buildx's `type=file|env` and `source=`). */
export function parseSecret(text: string, paths: MountPaths, env: NodeJS.ProcessEnv, where: Location): string {
  const fields = new Map<string, string>();
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    const key = eq < 0 ? '' : part.slice(0, eq);
    if (!['id', 'src', 'source', 'env', 'type'].includes(key)) throw new DockconvError(`secret '${text}': '${part}' is not id=, src=, env= or type=`, { ...where, hint: SECRET_FORMS });
    fields.set(key === 'source' ? 'src' : key, part.slice(eq + 1));
  }
  const id = fields.get('id') ?? '';
  if (!ID.test(id)) throw new DockconvError(`secret '${text}' needs an id of letters, digits, '.', '_' or '-'`, { ...where, hint: SECRET_FORMS });
  const type = fields.get('type') ?? (fields.has('env') ? 'env' : 'file');
  const from = type === 'env' ? (fields.get('env') ?? fields.get('src')) : fields.get('src');
  if ((type !== 'env' && type !== 'file') || !from) throw new DockconvError(`secret '${id}' says neither which file nor which variable holds it`, { ...where, hint: SECRET_FORMS });
  if (type === 'env') {
    if (env[from] === undefined) throw new DockconvError(`secret '${id}': the variable ${from} is not set`, { ...where, hint: `set ${from}, or give the secret another source` });
    return `id=${id},env=${from}`;
  }
  return `id=${id},src=${existingPath(from, paths, `secret '${id}'`, where)}`;
}

/** One `--ssh` value: `default` (the agent), or `id=` one or more keys or agent sockets. */
export function parseSsh(text: string, paths: MountPaths, env: NodeJS.ProcessEnv, where: Location): string {
  const eq = text.indexOf('=');
  const id = eq < 0 ? text : text.slice(0, eq);
  if (!ID.test(id)) throw new DockconvError(`ssh '${text}' needs an id of letters, digits, '.', '_' or '-'`, { ...where, hint: 'write default, or ID=PATH to a key or agent socket' });
  if (eq < 0) {
    if (!env['SSH_AUTH_SOCK']) throw new DockconvError(`ssh '${id}': no ssh agent (SSH_AUTH_SOCK is not set)`, { ...where, hint: `start one (eval "$(ssh-agent)"; ssh-add), or write ${id}=PATH to a key` });
    return id;
  }
  const keys = text.slice(eq + 1).split(',').map((path) => existingPath(path, paths, `ssh '${id}'`, where));
  return `${id}=${keys.join(',')}`;
}

/** A run.cfg value or an option: any number of specs, split as a shell would. */
export function parseMounts(secrets: readonly string[], ssh: readonly string[], paths: MountPaths, env: NodeJS.ProcessEnv, where: Location): BuildMounts {
  const words = (texts: readonly string[]) => texts.flatMap((t) => splitWords(t, where).map((w) => w.text));
  return {
    secrets: words(secrets).map((s) => parseSecret(s, paths, env, where)),
    ssh: words(ssh).map((s) => parseSsh(s, paths, env, where)),
  };
}

export function mergeMounts(...all: readonly BuildMounts[]): BuildMounts {
  return { secrets: all.flatMap((m) => m.secrets), ssh: all.flatMap((m) => m.ssh) };
}

export function hasMounts(m: BuildMounts): boolean {
  return m.secrets.length > 0 || m.ssh.length > 0;
}

/** The flags, for a BuildKit build; the legacy builder would build without them, so it refuses. */
export function mountFlags(m: BuildMounts, builder: 'buildkit' | 'legacy', label: string): string[] {
  if (!hasMounts(m)) return [];
  if (builder === 'legacy') {
    throw new DockconvError(`${label} uses build ${m.secrets.length ? 'secrets' : 'ssh'}, which need BuildKit; this docker client has only the legacy builder, which would build without them`, {
      hint: 'install the buildx plugin (Debian: docker-buildx); DOCKER_BUILDKIT=0 also asks for the legacy builder',
    });
  }
  return [...m.secrets.flatMap((s) => ['--secret', s]), ...m.ssh.flatMap((s) => ['--ssh', s])];
}

function existingPath(path: string, paths: MountPaths, what: string, where: Location): string {
  const home = path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(1)) : path;
  const absolute = isAbsolute(home) ? home : join(paths.base, home);
  if (!existsSync(absolute)) throw new DockconvError(`${what}: ${path} does not exist`, where);
  const shown = relative(paths.cwd, absolute);
  return shown && !shown.startsWith('..') && !isAbsolute(shown) ? shown : absolute;
}
