/**
 * Finds a project's versioneer settings where versioneer 0.28's `get_config_from_root` does:
 * `[tool.versioneer]` in pyproject.toml first (when present and not empty), else `[versioneer]`
 * in setup.cfg. No such table → undefined: the project does not use versioneer.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DockconvError } from '../errors';
import { readToolVersioneer } from './pyproject';
import { readCfgSection } from './setup-cfg';
import { STYLES, isStyle, type VersioneerConfig } from './types';

export async function readVersioneerConfig(projectRootAbs: string): Promise<VersioneerConfig | undefined> {
  const pyproject = join(projectRootAbs, 'pyproject.toml');
  const fromToml = await readOptional(pyproject, (t) => readToolVersioneer(t, pyproject));
  // Keys in TOML keep their case (versioneer reads section['VCS']); ConfigParser lower-cases them.
  if (fromToml && fromToml.size > 0) return toConfig(fromToml, pyproject, (k) => k);
  const setupCfg = join(projectRootAbs, 'setup.cfg');
  const fromCfg = await readOptional(setupCfg, (t) => readCfgSection(t, setupCfg, 'versioneer'));
  return fromCfg && toConfig(fromCfg, setupCfg, (k) => k.toLowerCase());
}

async function readOptional<T>(file: string, parse: (text: string) => T): Promise<T | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new DockconvError(`cannot read ${file}: ${(err as Error).message}`);
  }
  return parse(text);
}

function toConfig(table: Map<string, string>, file: string, key: (k: string) => string): VersioneerConfig {
  const get = (k: string): string | undefined => table.get(key(k));
  const vcs = get('VCS');
  if (vcs !== 'git') {
    throw new DockconvError(vcs === undefined ? 'versioneer settings lack VCS' : `versioneer VCS '${vcs}' is not supported`, {
      file,
      hint: 'set VCS = git',
    });
  }
  const tagPrefix = get('tag_prefix');
  const style = get('style') ?? '';
  // Versioneer only notices a bad style when it renders from git; a typo should fail every time.
  if (style && style !== 'default' && !isStyle(style)) {
    throw new DockconvError(`unknown versioneer style '${style}'`, { file, hint: `one of ${STYLES.join(', ')}` });
  }
  return {
    file,
    vcs,
    style,
    versionfileSource: get('versionfile_source'),
    versionfileBuild: get('versionfile_build'),
    // Versioneer's own normalisation: a quoted empty string means "no prefix".
    tagPrefix: tagPrefix === undefined || tagPrefix === "''" || tagPrefix === '""' ? '' : tagPrefix,
    parentdirPrefix: get('parentdir_prefix'),
  };
}
