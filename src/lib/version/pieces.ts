/**
 * git → versioneer pieces: a port of versioneer 0.28's `git_pieces_from_vcs`, running the same
 * git commands with the same arguments (through `run`, never a shell). Independent commands run
 * concurrently; the result is the same as versioneer's sequential calls.
 */
import { DockconvError } from '../errors';
import { runProcess } from '../system/process';
import type { Pieces } from './types';

/** What versioneer's `run_command` yields: stripped stdout, or undefined on a non-zero exit or a missing git. */
export async function git(args: string[], root: string): Promise<string | undefined> {
  // GIT_DIR would point git at another repository than the project's; versioneer drops it too.
  const env = { ...process.env, GIT_DIR: undefined };
  // A missing git is a non-zero exit too, which versioneer treats alike.
  const r = await runProcess('git', args, { cwd: root, env });
  return r.exitCode === 0 ? r.stdout : undefined;
}

/**
 * undefined where versioneer raises NotThisMethod (not a git work tree, no commit yet): the caller
 * then tries `parentdir_prefix`. Pieces with `error` set where git describe's output is unusable.
 */
export async function piecesFromGit(tagPrefix: string, root: string): Promise<Pieces | undefined> {
  if ((await git(['rev-parse', '--git-dir'], root)) === undefined) return undefined;
  const [describe, full, abbrev, shown] = await Promise.all([
    git(['describe', '--tags', '--dirty', '--always', '--long', '--match', `${tagPrefix}[[:digit:]]*`], root),
    git(['rev-parse', 'HEAD'], root),
    git(['rev-parse', '--abbrev-ref', 'HEAD'], root),
    git(['show', '-s', '--format=%ci', 'HEAD'], root),
  ]);
  if (describe === undefined || full === undefined || abbrev === undefined) return undefined;
  const branch = await branchOf(abbrev, root);
  if (branch === undefined) return undefined;
  const pieces: Pieces = { long: full, short: full.slice(0, 7), error: null, branch };
  const parsed = parseDescribe(describe, tagPrefix);
  if ('error' in parsed) return { ...pieces, dirty: parsed.dirty, error: parsed.error };
  Object.assign(pieces, parsed);
  if (parsed.closestTag === null) pieces.distance = await commitCount(root);
  pieces.date = isoDate(shown, root);
  return pieces;
}

/**
 * `rev-parse --abbrev-ref HEAD` says "HEAD" when detached: then the first branch containing HEAD,
 * "master" preferred; null when none does; undefined when git fails (versioneer: NotThisMethod).
 */
async function branchOf(abbrev: string, root: string): Promise<string | null | undefined> {
  if (abbrev !== 'HEAD') return abbrev;
  const out = await git(['branch', '--contains'], root);
  return out === undefined ? undefined : pickBranch(out);
}

/** Versioneer's reading of `git branch --contains`: drop the "(HEAD detached at …)" line, strip "* ". */
export function pickBranch(out: string): string | null {
  const lines = out.split('\n');
  if (lines[0]?.includes('(')) lines.shift();
  const branches = lines.map((l) => l.slice(2));
  if (branches.includes('master')) return 'master';
  return branches[0] ?? null;
}

type Described = { closestTag: string | null; distance?: number; short?: string; dirty: boolean };

/** TAG-NUM-gHEX[-dirty] or HEX[-dirty]; TAG may hold hyphens. */
export function parseDescribe(out: string, tagPrefix: string): Described | { error: string; dirty: boolean } {
  const dirty = out.endsWith('-dirty');
  const rest = dirty ? out.slice(0, out.lastIndexOf('-dirty')) : out;
  if (!rest.includes('-')) return { closestTag: null, dirty };
  const m = /^(.+)-(\d+)-g([0-9a-f]+)$/s.exec(rest);
  if (!m) return { error: `unable to parse git-describe output: '${out}'`, dirty };
  const [, fullTag = '', distance = '0', short = ''] = m;
  if (!fullTag.startsWith(tagPrefix)) {
    return { error: `tag '${fullTag}' doesn't start with prefix '${tagPrefix}'`, dirty };
  }
  return { closestTag: fullTag.slice(tagPrefix.length), distance: Number(distance), short, dirty };
}

/** No tag matched: distance is the number of commits (`rev-list HEAD --left-right`, counted by words). */
async function commitCount(root: string): Promise<number> {
  const out = await git(['rev-list', 'HEAD', '--left-right'], root);
  if (out === undefined) throw new DockconvError(`'git rev-list HEAD' failed in ${root}`);
  return out.split(/\s+/).filter(Boolean).length;
}

/** `%ci` ("2024-01-02 03:04:05 +0100", last line: GPG lines may precede) → "2024-01-02T03:04:05+0100". */
function isoDate(shown: string | undefined, root: string): string {
  const last = shown?.split(/\r\n|\r|\n/).pop();
  if (!last) throw new DockconvError(`'git show -s --format=%ci HEAD' failed in ${root}`);
  return toIsoDate(last);
}

export function toIsoDate(ci: string): string {
  return ci.trim().replace(' ', 'T').replace(' ', '');
}
