/**
 * Versioneer-identical version stamping without Python: what versioneer 0.28's
 * `get_versions()` returns for a project root, and the `_version.py.bld` that carries it into
 * a Docker build context without `.git`.
 */
import { realpathSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { DockconvError } from '../errors';
import { git, piecesFromGit } from './pieces';
import { normaliseStyle, render } from './render';
import { versionsFromParentdir, versionsFromVersionFile } from './file-sources';
import { renderVersionFile, writeFileAtomic } from './version-file';
import type { VersionDict, VersioneerConfig } from './types';

export { readVersioneerConfig } from './config';
export { renderVersionFile } from './version-file';
export { STYLES, isStyle } from './types';
export type { Pieces, Style, VersionDict, VersioneerConfig } from './types';

export const UNKNOWN: VersionDict = {
  version: '0+unknown',
  'full-revisionid': null,
  dirty: null,
  error: 'unable to compute version',
  date: null,
};

export interface GetVersionsOptions {
  /** Overrides the configured style (versioneer's `style`). */
  style?: string;
}

/**
 * Versioneer's `get_versions()`, in its order: expanded keywords or a short file at
 * `versionfile_source`, then git, then `parentdir_prefix`, else `0+unknown`. The root is
 * resolved through symlinks as versioneer's `get_root()` does (parentdir names depend on it).
 */
export async function getVersions(
  projectRootAbs: string,
  config: VersioneerConfig,
  opts: GetVersionsOptions = {},
): Promise<VersionDict> {
  const root = realRoot(projectRootAbs);
  const style = opts.style ?? config.style;
  normaliseStyle(style); // an unknown style is an error even where git is not asked
  if (config.versionfileSource) {
    const fromFile = await versionsFromVersionFile(join(root, config.versionfileSource), config.tagPrefix);
    if (fromFile) return fromFile;
  }
  const pieces = await piecesFromGit(config.tagPrefix, root);
  if (pieces) return render(pieces, style);
  const fromDir = config.parentdirPrefix ? versionsFromParentdir(config.parentdirPrefix, root) : undefined;
  return fromDir ?? { ...UNKNOWN };
}

function realRoot(projectRootAbs: string): string {
  try {
    return realpathSync(projectRootAbs);
  } catch (err) {
    throw new DockconvError(`project root ${projectRootAbs} cannot be read: ${(err as Error).message}`);
  }
}

/** For projects without versioneer: `git describe --tags --dirty --always` and the commit. */
export interface DescribedVersion {
  version: string;
  commit: string;
  dirty: boolean;
}

/** undefined when the project is not in a git work tree or has no commit yet. */
export async function describeVersion(projectRootAbs: string): Promise<DescribedVersion | undefined> {
  const [version, commit] = await Promise.all([
    git(['describe', '--tags', '--dirty', '--always'], projectRootAbs),
    git(['rev-parse', 'HEAD'], projectRootAbs),
  ]);
  if (version === undefined || commit === undefined) return undefined;
  return { version, commit, dirty: version.endsWith('-dirty') };
}

/** Writes the rendered versions to `output` (relative to the project root); true when the file changed. */
export async function writeVersionFile(projectRootAbs: string, output: string, versions: VersionDict): Promise<boolean> {
  const file = isAbsolute(output) ? output : resolve(projectRootAbs, output);
  return writeFileAtomic(file, renderVersionFile(versions));
}
