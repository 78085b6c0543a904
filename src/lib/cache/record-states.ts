/**
 * The executor's side of image states: after a successful run, what it left at each image's
 * reference is recorded against the state Nx hashed the task with, so the next command can
 * replay it; a dry run retires its states, so its printout is never replayed.
 */
import { imageId, type ImageGraph } from '../model/graph';
import type { ImageDef } from '../model/project';
import { confirmState, imageStateDir, retireState } from './image-states';
import { stateVariable } from './state-variables';

export interface StateRecorder {
  /** For the build session: every image it left current. */
  ensured(image: ImageDef, id: string, engine: string): void;
  /** A per-image task's own image. */
  left(project: string, type: string, id: string, engine: string): void;
  /** The images the aggregate ensured itself, parents first (as they were built). */
  confirmEnsured(): void;
  dryRun(project: string, type: string): void;
  dryRunAll(project: string): void;
}

export function recordImageStates(workspaceRoot: string, graph: ImageGraph, env: NodeJS.ProcessEnv): StateRecorder {
  const dir = imageStateDir(workspaceRoot, env);
  const valueOf = (project: string, type: string) => env[stateVariable(project, type)];
  const confirm = (project: string, type: string, id: string, engine: string) => {
    const node = graph.get(imageId(project, type));
    if (!node) return;
    const parents = node.parents.flatMap((p) => {
      const parent = graph.get(p)?.image;
      return parent ? [valueOf(parent.project, parent.type) ?? ''] : [];
    });
    confirmState(dir, valueOf(project, type), { engine, ref: node.image.name.ref, image: id, parents });
  };
  const ensured: [ImageDef, string, string][] = [];
  return {
    ensured: (image, id, engine) => void ensured.push([image, id, engine]),
    left: confirm,
    confirmEnsured: () => ensured.forEach(([image, id, engine]) => confirm(image.project, image.type, id, engine)),
    dryRun: (project, type) => retireState(dir, valueOf(project, type)),
    dryRunAll: (project) => {
      for (const node of graph.values()) if (node.image.project === project) retireState(dir, valueOf(project, node.image.type));
    },
  };
}
