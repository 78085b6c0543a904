/**
 * What git says about a project at build time, once per project per run: VERSION and
 * GIT_COMMIT for the build args and labels, and `_version.py.bld` written before
 * the build when versioneer is configured, atomically by the version library.
 */
import { describeVersion, getVersions, readVersioneerConfig, writeVersionFile } from './index';
import { git } from './pieces';
import { VERSION_FILE } from '../model/version-inputs';

export interface ProjectVersion {
  version?: string;
  commit?: string;
  /** The git remote, credentials removed (OCI source label). */
  source?: string;
}

export async function stampVersion(projectRootAbs: string, opts: { write: boolean }): Promise<ProjectVersion> {
  const [config, source] = await Promise.all([readVersioneerConfig(projectRootAbs), remoteUrl(projectRootAbs)]);
  if (config) {
    const versions = await getVersions(projectRootAbs, config);
    if (opts.write) await writeVersionFile(projectRootAbs, VERSION_FILE, versions);
    return { version: versions.version, commit: versions['full-revisionid'] ?? undefined, source };
  }
  const described = await describeVersion(projectRootAbs);
  return { version: described?.version, commit: described?.commit, source };
}

async function remoteUrl(cwd: string): Promise<string | undefined> {
  const remotes = (await git(['remote'], cwd))?.split('\n').filter(Boolean) ?? [];
  const remote = remotes.includes('origin') ? 'origin' : remotes[0];
  if (!remote) return undefined;
  const url = await git(['remote', 'get-url', remote], cwd);
  return url ? publicSource(url) : undefined;
}

/**
 * A git remote URL without credentials: `https://user:token@host/x` → `https://host/x`. An
 * scp-like `git@host:org/repo` keeps its user, which names an account, not a secret.
 */
export function publicSource(url: string): string | undefined {
  const trimmed = url.trim();
  if (!trimmed) return undefined;
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) return trimmed;
  try {
    const parsed = new URL(trimmed);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return undefined;
  }
}
