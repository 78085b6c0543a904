/**
 * Finding and reading a project's run.cfg: the file under either of its names, decoded as Python
 * would, parsed and checked.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DockconvError, type Warning } from '../errors';
import { parseConfig, type ConfigDocument } from './parser';
import { sectionWarnings } from './warnings';

export const RUN_CONFIG_FILE = 'docker/run.cfg';
export const LEGACY_RUN_CONFIG_FILE = 'docker/dockerutils.cfg';

/** The project's run.cfg (absolute path), under either name; both at once is ambiguous. */
export function findRunConfigFile(projectRootAbs: string): string | undefined {
  const current = join(projectRootAbs, RUN_CONFIG_FILE);
  const legacy = join(projectRootAbs, LEGACY_RUN_CONFIG_FILE);
  if (existsSync(current) && existsSync(legacy)) {
    throw new DockconvError(`both ${RUN_CONFIG_FILE} and ${LEGACY_RUN_CONFIG_FILE} exist`, {
      file: legacy,
      hint: `keep one: ${LEGACY_RUN_CONFIG_FILE} and ${RUN_CONFIG_FILE} are two names of one file`,
    });
  }
  if (existsSync(current)) return current;
  return existsSync(legacy) ? legacy : undefined;
}

export interface RunConfig {
  file?: string;
  doc: ConfigDocument;
  warnings: Warning[];
}

/** Reads and checks the project's run.cfg; a project without one gets an empty document. */
export function readRunConfig(projectRootAbs: string, imageTypes: readonly string[]): RunConfig {
  const file = findRunConfigFile(projectRootAbs);
  if (!file) return { doc: { file: join(projectRootAbs, RUN_CONFIG_FILE), sections: new Map() }, warnings: [] };
  const doc = parseConfig(readUtf8(file), file);
  // dockerutils.cfg needs no rename: both names are read the same, and projects moving over from
  // dockerutils keep theirs (the name also tells which era's GPU environment a project expects).
  return { file, doc, warnings: sectionWarnings(doc, imageTypes) };
}

/** Python would fail on bytes that are not UTF-8; Node would silently put U+FFFD in their place. */
function readUtf8(file: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(readFileSync(file));
  } catch (err) {
    if (!(err instanceof TypeError)) throw err;
    throw new DockconvError('is not valid UTF-8 text', { file });
  }
}
