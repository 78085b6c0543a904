/**
 * What all image builds of one executor run share: the workspace's images, the engine and
 * builder found once, each project's version asked once, the options, interrupt handling.
 */
import { describeError } from '../errors';
import type { ImageGraph } from '../model/graph';
import { currentUser } from '../model/naming';
import { imageReplacements } from '../text/replacements';
import type { DockerProject, ImageDef } from '../model/project';
import type { Shown } from '../text/shown';
import type { Replacements } from '../text/variables';
import type { BuildMounts } from './build-mounts';
import { engineOf, type Builder, type Engine, type EngineFacts, type ImageState } from '../docker/engine';
import { installInterrupts, type Interrupts } from './interrupt';
import { runMarks, type RunMarks } from './run-marks';
import type { SharedPush } from './shared-builds';
import { stampVersion, type ProjectVersion } from '../version/stamp';

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
  /** The `secrets` and `ssh` options, on top of run.cfg's. */
  mounts?: BuildMounts;
  /** The `platforms` option: every image of the run is built for these. */
  platforms?: readonly string[];
  /** `host[:port][/namespace]` builds are shared through with other machines, if any. */
  sharedRegistry?: string;
  /** Whether builds made here are pushed there; absent: they are. */
  sharedPush?: SharedPush;
  /**
   * Publishing: only images this machine built count as current, nothing is pulled from the
   * shared registry nor taken from it as layer cache, and an image found at its reference that
   * this machine did not build is rebuilt without the layer cache.
   */
  builtHereOnly?: boolean;
  /** Where the per-image record goes (the Nx output of its task). */
  recordPath: (image: ImageDef) => string;
  /** Told of every image this session left current at its reference (not in a dry run). */
  onEnsured?: (image: ImageDef, imageId: string, engine: string) => void;
  print: (line: string) => void;
}

export interface BuildSession extends BuildSettings {
  builder: Builder;
  engine: string;
  interrupts: Interrupts;
  /** What is said or decided once per Nx invocation, across its task processes. */
  marks: RunMarks;
  versionOf(project: DockerProject): Promise<ProjectVersion>;
  replacements(image: ImageDef): Replacements;
  /**
   * `docker image inspect`, asked once per image until a build in this session changes the
   * engine: a per-image task asks about its parent both to ensure it and to digest its ID.
   */
  inspect(ref: string): Promise<ImageState | undefined>;
  /** A build replaced an image: every answer inspect() kept may be stale. */
  forgetInspections(): void;
  /** The engine's platform and image store, asked once (undefined in a dry run without an engine). */
  facts(): Promise<EngineFacts | undefined>;
}

export async function openSession(settings: BuildSettings): Promise<BuildSession> {
  const docker = engineOf(settings.env);
  const [engine, builder] = await Promise.all([reachEngine(settings, docker), docker.builder()]);
  const versions = new Map<string, Promise<ProjectVersion>>();
  const inspections = new Map<string, Promise<ImageState | undefined>>();
  const ask = engine === undefined ? async () => undefined : (ref: string) => docker.inspectImage(ref);
  let facts: Promise<EngineFacts | undefined> | undefined;
  return {
    ...settings,
    builder,
    engine: engine ?? UNKNOWN_ENGINE,
    interrupts: installInterrupts(),
    marks: runMarks(settings.env),
    versionOf(project) {
      let version = versions.get(project.name);
      if (!version) {
        version = stampVersion(project.rootAbs, { write: !settings.dryRun });
        versions.set(project.name, version);
      }
      return version;
    },
    inspect(ref) {
      let answer = inspections.get(ref);
      if (!answer) {
        answer = ask(ref);
        inspections.set(ref, answer);
      }
      return answer;
    },
    forgetInspections() {
      inspections.clear();
    },
    facts() {
      facts ??= engine === undefined ? Promise.resolve(undefined) : docker.facts();
      return facts;
    },
    replacements(image) {
      return imageReplacements(image, { workspaceRoot: settings.workspaceRoot, user: currentUser(settings.env), cwd: process.cwd() });
    },
  };
}

/** Stands for the engine in a dry run that could not ask one. */
export const UNKNOWN_ENGINE = 'unknown-engine';

/**
 * A dry run shows what would run even with no engine: it says so, and treats every image as
 * missing. Anything else needs the engine and fails here with the reason.
 */
async function reachEngine(settings: BuildSettings, docker: Engine): Promise<string | undefined> {
  try {
    return await docker.id();
  } catch (err) {
    if (!settings.dryRun) throw err;
    settings.print(`dry run: ${describeError(err)}; images are shown as missing, nothing on the engine was checked`);
    return undefined;
  }
}

export function closeSession(session: BuildSession): void {
  session.interrupts.dispose();
}
