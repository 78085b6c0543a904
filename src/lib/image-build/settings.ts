/**
 * The one place a build's settings are settled, whoever asks: docker-build's options, another
 * executor that needs an image first (docker-run, publish, transfer-image), or a command-line
 * build. Whatever is not asked for is off; records of built images go either under each project
 * (Nx's task outputs) or, for the command line, into one folder outside the workspace.
 */
import { join } from 'node:path';
import { imageRecordPath } from '../model/conventions';
import type { WorkspaceImages } from '../model/workspace';
import type { Shown } from '../text/shown';
import type { BuildMounts } from './build-mounts';
import type { BuildSettings } from './session';
import { resolveSharedPush, resolveSharedRegistry, type SharedPush } from './shared-builds';

/** Where builds are shared with other machines, settled once per run (see settleSharing). */
export interface Sharing {
  registry?: string;
  push: SharedPush;
}

export interface BuildRequest {
  workspace: Pick<WorkspaceImages, 'workspaceRoot' | 'graph' | 'projects'>;
  env: NodeJS.ProcessEnv;
  /** `workspace`: each image's record under its project; else the folder that holds them all. */
  records: 'workspace' | { dir: string };
  dryRun?: boolean;
  noCache?: boolean;
  pull?: boolean;
  forceBase?: boolean;
  builtHereOnly?: boolean;
  buildArgs?: ReadonlyMap<string, Shown>;
  mounts?: BuildMounts;
  platforms?: readonly string[];
  /** Absent: builds are not shared (the command line knows no shared registry). */
  sharing?: Sharing;
  onEnsured?: BuildSettings['onEnsured'];
  print?: (line: string) => void;
}

export function settleBuildSettings(req: BuildRequest): BuildSettings {
  const { workspace, records } = req;
  return {
    workspaceRoot: workspace.workspaceRoot,
    graph: workspace.graph,
    projects: workspace.projects,
    env: req.env,
    dryRun: req.dryRun === true,
    noCache: req.noCache === true,
    pull: req.pull === true,
    forceBase: req.forceBase === true,
    buildArgs: req.buildArgs ?? new Map(),
    ...(req.mounts ? { mounts: req.mounts } : {}),
    ...(req.platforms ? { platforms: req.platforms } : {}),
    ...(req.sharing?.registry ? { sharedRegistry: req.sharing.registry } : {}),
    ...(req.sharing ? { sharedPush: req.sharing.push } : {}),
    ...(req.builtHereOnly === undefined ? {} : { builtHereOnly: req.builtHereOnly }),
    ...(req.onEnsured ? { onEnsured: req.onEnsured } : {}),
    recordPath: records === 'workspace' ? (image) => join(workspace.workspaceRoot, imageRecordPath(image.projectRoot, image.type)) : (image) => join(records.dir, `${image.type}.json`),
    print: req.print ?? ((line) => process.stdout.write(`${line}\n`)),
  };
}

/** The shared registry and whether to push there: the options, else the environment, else the plugin options. */
export function settleSharing(options: { registry?: string; push?: boolean }, env: NodeJS.ProcessEnv, plugin: { sharedRegistry?: string; sharedPush?: unknown }): Sharing {
  const registry = resolveSharedRegistry(options.registry, env, plugin.sharedRegistry);
  return { ...(registry ? { registry } : {}), push: resolveSharedPush(options.push, env, plugin.sharedPush) };
}
