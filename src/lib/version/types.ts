/**
 * Shapes shared by the versioneer-compatible version library. Field names of `VersionDict` are
 * versioneer's own (they end up in `_version.py.bld` and in `get_versions()`), so they keep its
 * hyphenated spelling.
 */

/** The eight render styles of versioneer 0.28, in its own order. */
export const STYLES = [
  'pep440',
  'pep440-branch',
  'pep440-pre',
  'pep440-post',
  'pep440-post-branch',
  'pep440-old',
  'git-describe',
  'git-describe-long',
] as const;

export type Style = (typeof STYLES)[number];

export function isStyle(s: string): s is Style {
  return (STYLES as readonly string[]).includes(s);
}

/** What `get_versions()` returns: exactly these five keys. */
export interface VersionDict {
  version: string;
  'full-revisionid': string | null;
  dirty: boolean | null;
  error: string | null;
  date: string | null;
}

/** Versioneer's `[versioneer]` settings after its own normalisation (`tag_prefix` '' / "" → empty). */
export interface VersioneerConfig {
  /** Where the settings came from (setup.cfg or pyproject.toml), for messages. */
  file: string;
  vcs: string;
  /** '' means the default, pep440 (versioneer treats '' and 'default' alike). */
  style: string;
  versionfileSource?: string;
  versionfileBuild?: string;
  tagPrefix: string;
  parentdirPrefix?: string;
}

/**
 * Versioneer's `pieces` dict. `closestTag`, `distance`, `dirty` and `date` are absent when git
 * describe output could not be used (then `error` says why), as in versioneer.
 */
export interface Pieces {
  long: string;
  short: string;
  error: string | null;
  branch: string | null;
  dirty?: boolean;
  closestTag?: string | null;
  distance?: number;
  date?: string;
}
