/**
 * Finding and reading a project's run.cfg: the file under either of its names, decoded as Python
 * would, parsed and checked.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DockconvError, type Warning } from '../../errors';
import { parseConfig, type ConfigDocument } from './parser';
import { sectionWarnings } from './warnings';

export const RUN_CONFIG_FILE = 'docker/run.cfg';
export const LEGACY_RUN_CONFIG_FILE = 'docker/dockerutils.cfg';
/** Both names, relative to the project root; a project has at most one of them. */
export const RUN_CONFIG_FILES: readonly string[] = [RUN_CONFIG_FILE, LEGACY_RUN_CONFIG_FILE];

/** Where the files are looked for: the disk, or a generator's virtual tree. */
export interface RunConfigFiles {
  exists(path: string): boolean;
  join(root: string, file: string): string;
}

const DISK: RunConfigFiles = { exists: existsSync, join };

/** The project's run.cfg (under `projectRoot`), under either name; both at once is ambiguous. */
export function findRunConfigFile(projectRoot: string, files: RunConfigFiles = DISK): string | undefined {
  const current = files.join(projectRoot, RUN_CONFIG_FILE);
  const legacy = files.join(projectRoot, LEGACY_RUN_CONFIG_FILE);
  if (files.exists(current) && files.exists(legacy)) {
    throw new DockconvError(`both ${RUN_CONFIG_FILE} and ${LEGACY_RUN_CONFIG_FILE} exist`, {
      file: legacy,
      hint: `keep one: ${LEGACY_RUN_CONFIG_FILE} and ${RUN_CONFIG_FILE} are two names of one file`,
    });
  }
  if (files.exists(current)) return current;
  return files.exists(legacy) ? legacy : undefined;
}

/** The run.cfg a project has, else where a new one goes: the older name is kept, never added. */
export function runConfigLocation(projectRoot: string, files: RunConfigFiles = DISK): string {
  return findRunConfigFile(projectRoot, files) ?? files.join(projectRoot, RUN_CONFIG_FILE);
}

export interface RunConfig {
  file?: string;
  doc: ConfigDocument;
  warnings: Warning[];
}

/** Reads and checks the project's run.cfg; a project without one gets an empty document. */
export function readRunConfig(projectRootAbs: string, imageTypes: readonly string[]): RunConfig {
  const file = findRunConfigFile(projectRootAbs);
  if (!file) return { doc: { file: runConfigLocation(projectRootAbs), sections: new Map() }, warnings: [] };
  const doc = parseConfig(readUtf8(file), file);
  // dockerutils.cfg needs no rename: both names are read the same, and projects moving over from
  // dockerutils keep theirs (the name also tells which era's GPU environment a project expects).
  return { file, doc, warnings: sectionWarnings(doc, imageTypes) };
}

/** Python would fail on bytes that are not UTF-8; Node would silently put U+FFFD in their place. */
function readUtf8(file: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new DockconvError(`cannot read the file: ${err instanceof Error ? err.message : String(err)}`, { file });
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (err) {
    if (!(err instanceof TypeError)) throw err;
    throw new DockconvError('is not valid UTF-8 text', { file });
  }
}
