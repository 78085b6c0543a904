/**
 * Where this plugin keeps machine-local state between runs: Nx's own workspace data folder
 * (`.nx/workspace-data`, or `NX_WORKSPACE_DATA_DIRECTORY`), which git ignores and `nx reset` clears.
 */
import { join } from 'node:path';

export function workspaceDataDir(workspaceRoot: string, env: NodeJS.ProcessEnv = process.env): string {
  return env['NX_WORKSPACE_DATA_DIRECTORY'] ?? join(workspaceRoot, '.nx', 'workspace-data');
}
