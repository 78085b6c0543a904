/**
 * Which commands can build an image, known from the project graph before any task graph exists:
 * the target names that are image builds or depend (through `dependsOn`, in any project) on
 * one, and where the docker projects are. The plugin writes it whenever it builds the graph,
 * for the step that takes image states to read; a command naming none of these targets never
 * asks the engine.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXECUTORS } from '../model/conventions';
import type { ProjectLocation } from '../model/workspace';
import { workspaceDataDir } from '../system/workspace-data';

export interface TaskScope {
  /** Target names whose tasks are, or lead to, image builds. */
  buildingTargets: string[];
  /** The projects with a docker/ tree. */
  projects: ProjectLocation[];
}

type DependsOn = string | { target?: string };

export interface TargetShape {
  executor?: string;
  dependsOn?: DependsOn[];
}

/** Target names that build images, and every name whose dependsOn reaches one of them. */
export function buildingTargets(projects: Iterable<{ targets?: Record<string, TargetShape> }>): string[] {
  const targets = [...projects].flatMap((p) => Object.entries(p.targets ?? {}));
  const found = new Set(targets.filter(([, t]) => t.executor === EXECUTORS.build).map(([name]) => name));
  for (let grew = true; grew; ) {
    grew = false;
    for (const [name, target] of targets) {
      if (found.has(name) || !(target.dependsOn ?? []).some((d) => found.has(dependencyName(d)))) continue;
      found.add(name);
      grew = true;
    }
  }
  return [...found].sort();
}

function dependencyName(dependency: DependsOn): string {
  const name = typeof dependency === 'string' ? dependency : (dependency.target ?? '');
  return name.replace(/^\^/, '');
}

function scopeFile(workspaceRoot: string): string {
  return join(workspaceDataDir(workspaceRoot), 'dockconv', 'task-scope.json');
}

let known: { root: string; text: string } | undefined;

/** Written only when it changed: it is rewritten on every graph computation. */
export function writeTaskScope(workspaceRoot: string, scope: TaskScope): void {
  const text = JSON.stringify(scope);
  known = { root: workspaceRoot, text };
  const file = scopeFile(workspaceRoot);
  try {
    if (readFileSync(file, 'utf8') === text) return;
  } catch {
    // not written yet
  }
  try {
    mkdirSync(join(file, '..'), { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, text);
    renameSync(temp, file);
  } catch {
    // Unwritable: the next command reads no scope and takes image states, as if it built images.
  }
}

export function readTaskScope(workspaceRoot: string): TaskScope | undefined {
  try {
    const text = known?.root === workspaceRoot ? known.text : readFileSync(scopeFile(workspaceRoot), 'utf8');
    return JSON.parse(text) as TaskScope;
  } catch {
    return undefined;
  }
}
