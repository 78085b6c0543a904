/**
 * Test fixtures on the real file system: the conventions library reads real files, so unit
 * specs write small trees to a temp folder rather than standing in for fs.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadWorkspaceImages, type WorkspaceImages } from '../lib/model/workspace';

/** Writes `files` (relative path → text) below `root`. */
export function writeTree(root: string, files: Readonly<Record<string, string>>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

/** A new temp folder holding `files`; the caller removes it. */
export function tempTree(files: Readonly<Record<string, string>>, prefix = 'dockconv-spec-'): string {
  const root = mkdtempSync(join(tmpdir(), prefix));
  writeTree(root, files);
  return root;
}

/**
 * Loads the docker side of a workspace made of `files`, as user `alice`, then removes it.
 * `projects` are [name, root] pairs.
 */
export function loadTree(
  files: Readonly<Record<string, string>>,
  projects: readonly (readonly [string, string])[],
  env: NodeJS.ProcessEnv = {},
): WorkspaceImages {
  const root = tempTree(files);
  try {
    return loadWorkspaceImages(root, projects.map(([name, r]) => ({ name, root: r })), { user: 'alice', env });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
