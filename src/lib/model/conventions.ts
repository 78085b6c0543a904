/**
 * Names and paths other tools see and that must agree wherever they are used: the plugin's
 * package name (nx.json, executor and generator ids), the per-image build targets, and the
 * records builds leave for Nx to cache.
 */

/** The package name, as nx.json `plugins` and every executor and generator id spell it. */
export const PLUGIN_NAME = '@dockconv/nx';

/** Executor ids, as executors.json declares them. */
export const EXECUTORS = {
  build: `${PLUGIN_NAME}:docker-build`,
  run: `${PLUGIN_NAME}:docker-run`,
  transfer: `${PLUGIN_NAME}:transfer-image`,
  version: `${PLUGIN_NAME}:gen-version`,
  publish: `${PLUGIN_NAME}:publish`,
} as const;

/** Generator ids, as generators.json declares them (for the commands messages suggest). */
export const GENERATORS = {
  init: `${PLUGIN_NAME}:init`,
  image: `${PLUGIN_NAME}:image`,
} as const;

/** The per-image build target: one task per image in the task graph. */
export function imageBuildTarget(options: { buildTargetName: string }, imageType: string): string {
  return `${options.buildTargetName}-${imageType}`;
}

/** Where build records live, relative to the workspace root; Nx caches them as task outputs. */
export const RECORDS_DIR = 'dist/dockconv';

/** Where a per-image build task records the image it produced (its Nx output). */
export function imageRecordPath(projectRoot: string, imageType: string): string {
  return `${RECORDS_DIR}/${projectRoot}/${imageType}.json`;
}
