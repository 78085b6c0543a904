/**
 * The version a publish pushes. Under `nx release` it is the release's: the version data
 * `nx release` hands to the publish step, else what `nx release version` recorded for a
 * docker-only project (it has no manifest to write a version into), else package.json's
 * version. Run on its own, it is what git says (versioneer, else `git describe`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RECORDS_DIR } from '../model/conventions';
import { DockconvError } from '../errors';

/** Where `nx release version` records a docker-only project's new version (a generated file, not committed). */
export function releaseRecordPath(projectRoot: string): string {
  return `${RECORDS_DIR}/${projectRoot}/release-version.json`;
}

export interface ReleaseRecord {
  version: string;
}

export function renderReleaseRecord(version: string): string {
  return `${JSON.stringify({ version } satisfies ReleaseRecord, null, 2)}\n`;
}

export function parseReleaseRecord(text: string, file: string): ReleaseRecord {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new DockconvError('is not valid JSON', { file, hint: 'run nx release version again' });
  }
  const version = (parsed as { version?: unknown } | null)?.version;
  if (typeof version !== 'string' || version === '') throw new DockconvError('holds no version', { file, hint: 'run nx release version again' });
  return { version };
}

/** One project's entry of the version data `nx release` passes to publish executors. */
export interface ProjectVersionData {
  newVersion?: string | null;
}

export type ReleaseVersion = { version: string; from: string } | { skip: string };

export interface ReleaseSources {
  project: string;
  projectRoot: string;
  workspaceRoot: string;
  versionData?: Record<string, ProjectVersionData | undefined>;
}

export function releaseVersionOf(src: ReleaseSources): ReleaseVersion {
  const data = src.versionData?.[src.project];
  if (data) {
    if (data.newVersion === null || data.newVersion === undefined) return { skip: `nx release resolved no new version for ${src.project}` };
    return { version: data.newVersion, from: 'nx release' };
  }
  const record = join(src.workspaceRoot, releaseRecordPath(src.projectRoot));
  if (existsSync(record)) return { version: parseReleaseRecord(readFileSync(record, 'utf8'), record).version, from: 'nx release version' };
  const manifest = packageVersion(join(src.workspaceRoot, src.projectRoot));
  if (manifest) return { version: manifest, from: 'package.json' };
  throw new DockconvError(`no release version for ${src.project}`, { hint: 'run nx release version first (or nx release, which versions and publishes)' });
}

/** The `version` of the project's package.json, when it has one. */
export function packageVersion(projectRootAbs: string): string | undefined {
  try {
    const { version } = JSON.parse(readFileSync(join(projectRootAbs, 'package.json'), 'utf8')) as { version?: unknown };
    return typeof version === 'string' && version !== '' ? version : undefined;
  } catch {
    return undefined;
  }
}
