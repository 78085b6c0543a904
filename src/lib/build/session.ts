/**
 * What all image builds of one executor run share: the workspace's images, the engine and
 * builder found once, each project's version asked once, the options, interrupt handling.
 */
import type { ImageGraph } from '../graph';
import { currentUser } from '../naming';
import { imageReplacements } from '../replacements';
import type { DockerProject, ImageDef } from '../project';
import type { Shown } from '../shown';
import type { Replacements } from '../variables';
import type { Builder } from './command';
import { detectBuilder, engineId } from './engine';
import { installInterrupts, type Interrupts } from './interrupt';
import { stampVersion, type ProjectVersion } from './version-stamp';

export interface BuildSettings {
  workspaceRoot: string;
  graph: ImageGraph;
  projects: ReadonlyMap<string, DockerProject>;
  env: NodeJS.ProcessEnv;
  dryRun: boolean;
  noCache: boolean;
  pull: boolean;
  forceBase: boolean;
  /** The `buildArgs` option, on top of everything else. */
  buildArgs: ReadonlyMap<string, Shown>;
  /** Where the per-image record goes (the Nx output of its task). */
  recordPath: (image: ImageDef) => string;
  print: (line: string) => void;
}

export interface BuildSession extends BuildSettings {
  builder: Builder;
  engine: string;
  interrupts: Interrupts;
  versionOf(project: DockerProject): Promise<ProjectVersion>;
  replacements(image: ImageDef): Replacements;
}

export async function openSession(settings: BuildSettings): Promise<BuildSession> {
  const [engine, builder] = await Promise.all([engineId(settings.env), detectBuilder(settings.env)]);
  const versions = new Map<string, Promise<ProjectVersion>>();
  return {
    ...settings,
    builder,
    engine,
    interrupts: installInterrupts(),
    versionOf(project) {
      let version = versions.get(project.name);
      if (!version) {
        version = stampVersion(project.rootAbs, { write: !settings.dryRun });
        versions.set(project.name, version);
      }
      return version;
    },
    replacements(image) {
      return imageReplacements(image, { workspaceRoot: settings.workspaceRoot, user: currentUser(settings.env), cwd: process.cwd() });
    },
  };
}

export function closeSession(session: BuildSession): void {
  session.interrupts.dispose();
}
