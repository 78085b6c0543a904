/**
 * After the load: what the destination said, whether each image arrived with the source's ID,
 * and only then the tags (so a failed or interrupted transfer leaves no tag behind).
 */
import type { EngineApi, ImageInspectInfo } from '../docker/engine-api';
import { DockconvError } from '../errors';
import { statusOf } from '../docker/endpoint';
import type { ImagePlan } from './plan';

interface LoadMessage {
  stream?: string;
  error?: string;
  errorDetail?: { message?: string };
}

/** The image IDs the load response reports; an error message in it means the destination refused. */
export function parseLoadResponse(text: string, destination: string): string[] {
  const ids: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (!line.trim()) continue;
    let msg: LoadMessage;
    try {
      msg = JSON.parse(line) as LoadMessage;
    } catch {
      continue; // progress noise from older engines; errors always come as JSON
    }
    const error = msg.errorDetail?.message ?? msg.error;
    if (error) throw new DockconvError(`${destination} refused the image load: ${error.trim()}`);
    const loaded = /Loaded image ID: (sha256:[0-9a-f]{64})/.exec(msg.stream ?? '');
    if (loaded?.[1]) ids.push(loaded[1]);
  }
  return ids;
}

/** What the destination is checked against. */
export interface Arrival {
  /** Both engines name images alike (see ImageStore): the destination's ID must be the source's. */
  sameIdentity: boolean;
  /** The IDs the load response reported. */
  loadedIds: readonly string[];
  /** A containerd-store destination: the image must be listed there, i.e. held whole. */
  listed?: ReadonlySet<string>;
}

/**
 * The image's ID on the destination, once it is there whole and unaltered: the source's own ID
 * between engines of one kind; between a classic and a containerd store (where the same image
 * has another ID) the loaded image with the same layers and creation time.
 */
export async function verifyImage(docker: EngineApi, image: ImagePlan, destination: string, arrival: Arrival): Promise<string> {
  const expected = image.layers.map((l) => l.diffId).join();
  const candidates = arrival.sameIdentity ? [image.id] : arrival.loadedIds;
  let found: ImageInspectInfo | undefined;
  for (const id of candidates) {
    const info = await inspectOrUndefined(docker, id);
    if (!info) continue;
    const same = arrival.sameIdentity ? info.Id === image.id : info.Created === image.created;
    if (same && (info.RootFS.Layers ?? []).join() === expected) found = info;
    else if (arrival.sameIdentity) throw new DockconvError(`${image.ref} arrived altered on ${destination}: image ID ${info.Id}, expected ${image.id}`);
  }
  if (!found) {
    if (arrival.sameIdentity) throw new DockconvError(`${image.ref} did not arrive: ${destination} has no image ${image.id}`);
    throw new DockconvError(`${image.ref} did not arrive: none of the images ${destination} loaded (${arrival.loadedIds.join(', ') || 'none'}) has its layers`);
  }
  if (arrival.listed && !arrival.listed.has(found.Id)) {
    throw new DockconvError(`${image.ref} arrived incomplete on ${destination}: image ${found.Id} lacks layer content`, {
      hint: 'nothing was tagged; run it again with --full',
    });
  }
  return found.Id;
}

async function inspectOrUndefined(docker: EngineApi, id: string): Promise<ImageInspectInfo | undefined> {
  try {
    return await docker.inspectImage(id);
  } catch (err) {
    if (statusOf(err) === 404) return undefined;
    throw err;
  }
}

/** `repo:tag` to set for a ref, or undefined when the ref names no tag (the image's ID, or a digest). */
export function tagOf(ref: string, id: string): { repo: string; tag: string } | undefined {
  const hex = ref.replace(/^sha256:/, '');
  if (ref.includes('@') || (/^[0-9a-f]+$/.test(hex) && id.replace(/^sha256:/, '').startsWith(hex))) return undefined;
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  if (colon > slash) return { repo: ref.slice(0, colon), tag: ref.slice(colon + 1) };
  return { repo: ref, tag: 'latest' };
}

/** Tags the destination's image (`id`, as that engine names it) with the ref's tag. */
export async function tagImage(docker: EngineApi, image: ImagePlan, id: string): Promise<void> {
  const tag = tagOf(image.ref, image.id);
  if (tag) await docker.tagImage(id, tag);
}
