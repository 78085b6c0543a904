/**
 * Once per nx invocation that may build images, before Nx hashes any task: one look at the
 * engine, then one state per image of the workspace, parents before the images built on them
 * (an image's state includes its parents' states, so a parent that changes changes them all).
 */
import { parentsFirst, type ImageGraph } from '../model/graph';
import { applyNameOption, type DockerProject, type NamingOptions } from '../model/project';
import { loadWorkspaceImages } from '../model/workspace';
import { engineOf } from '../docker/engine';
import { runProcessSync } from '../system/process';
import { INPUTS_LABEL } from '../model/build-inputs';
import { imageFingerprint } from './fingerprint';
import { imageStateDir, issueState, uncheckedState, type EngineView } from './image-states';
import type { NxCommand } from './nx-command';
import { STATE_SCOPE_VARIABLE, STATES_TAKEN, stateVariable } from './state-variables';
import type { TaskScope } from './task-scope';

export interface StatesRequest {
  workspaceRoot: string;
  command: NxCommand;
  /** Undefined when the plugin has not seen the graph yet: then nothing can be vouched for. */
  scope: TaskScope | undefined;
  naming: Pick<NamingOptions, 'plugin'>;
  env: NodeJS.ProcessEnv;
}

/** The variables to set: the scope, and (when states were taken) one per image. */
export async function takeImageStates(req: StatesRequest): Promise<Record<string, string>> {
  if (!req.scope || req.command.dryRun || !mayBuildImages(req.command, req.scope)) return { [STATE_SCOPE_VARIABLE]: uncheckedState() };
  const view = await engineOf(req.env).labelledImages(INPUTS_LABEL);
  if (!view) return { [STATE_SCOPE_VARIABLE]: uncheckedState() };
  const workspace = loadWorkspaceImages(req.workspaceRoot, req.scope.projects, { ...req.naming, env: req.env, overrides: req.command.tag ? { tag: req.command.tag } : {} });
  renameAsked(workspace.projects, req.command);
  return { [STATE_SCOPE_VARIABLE]: STATES_TAKEN, ...statesOf(workspace.graph, workspace.projects, view, req) };
}

function mayBuildImages(command: NxCommand, scope: TaskScope): boolean {
  return command.targets === undefined || command.targets.some((t) => scope.buildingTargets.includes(t));
}

/** `--name` renames the image `--image` asks for, in every project that has it (as the executor does). */
function renameAsked(projects: ReadonlyMap<string, DockerProject>, command: NxCommand): void {
  if (command.name === undefined || command.image === undefined) return;
  for (const project of projects.values()) {
    if (!project.images.some((i) => i.type === command.image)) continue;
    try {
      applyNameOption(project, command.name, { image: command.image });
    } catch {
      // An invalid name is the executor's to report; the state it gets then is never reused.
    }
  }
}

function statesOf(graph: ImageGraph, projects: ReadonlyMap<string, DockerProject>, view: EngineView, req: StatesRequest): Record<string, string> {
  const dir = imageStateDir(req.workspaceRoot, req.env);
  const version = lazyGitVersion(req.workspaceRoot, req.env);
  const values = new Map<string, string>();
  const order = parentsFirst([...graph.keys()], (id) => graph.get(id)?.parents ?? []);
  for (const id of order) {
    const node = graph.get(id);
    const project = node && projects.get(node.image.project);
    if (!node || !project) continue;
    const parents = node.parents.map((p) => values.get(p) ?? uncheckedState()).sort();
    values.set(id, issueState(dir, view, { ref: node.image.name.ref, fingerprint: imageFingerprint(node, project, version), parents }));
  }
  const env: Record<string, string> = {};
  for (const [id, value] of values) {
    const node = graph.get(id);
    if (node) env[stateVariable(node.image.project, node.image.type)] = value;
  }
  return env;
}

/** What Nx's own runtime input for versioned images asks git, asked at most once. */
function lazyGitVersion(workspaceRoot: string, env: NodeJS.ProcessEnv): () => string {
  let version: string | undefined;
  return () => {
    if (version === undefined) {
      const described = runProcessSync('git', ['describe', '--tags', '--dirty', '--always', '--long'], { cwd: workspaceRoot, env });
      version = described.exitCode === 0 ? described.stdout : 'none';
    }
    return version;
  };
}
