/**
 * Where a release's images come from: the image at each reference now, and which of it and its
 * workspace parents this machine did not build itself (see system/built-here).
 */
import { DockconvError } from '../errors';
import { engineOf } from '../docker/engine';
import { planBuild } from '../model/build-plan';
import { builtHereDir, wasBuiltHere } from '../system/built-here';
import type { ImageGraph } from '../model/graph';

export interface Provenance {
  ref: string;
  /** The image ID at the reference now. */
  id: string;
  /** References of the image and the workspace images it derives from that this machine did not build. */
  notBuiltHere: string[];
}

/** Whether the image at a node's reference, and every workspace image it derives from, was built on this machine. */
export async function provenanceOf(graph: ImageGraph, env: NodeJS.ProcessEnv, id: string): Promise<Provenance> {
  const node = graph.get(id);
  if (!node) throw new DockconvError(`unknown image ${id}`);
  const dir = builtHereDir(env);
  let own = '';
  const notBuiltHere: string[] = [];
  const engine = engineOf(env);
  for (const each of planBuild(graph, [id])) {
    const ref = graph.get(each)?.image.name.ref ?? each;
    const image = await engine.inspectImage(ref);
    if (!image) throw new DockconvError(`${ref} is not on the engine after its build`);
    if (each === id) own = image.id;
    if (!wasBuiltHere(dir, image.id)) notBuiltHere.push(ref);
  }
  return { ref: node.image.name.ref, id: own, notBuiltHere };
}
