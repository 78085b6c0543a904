/**
 * After the load: what the destination said, whether each image arrived with the source's ID,
 * and only then the tags (so a failed or interrupted transfer leaves no tag behind).
 */
import type Docker from 'dockerode';
import { DockconvError } from '../errors';
import { statusOf } from './destination';
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

export async function verifyImage(docker: Docker, image: ImagePlan, destination: string): Promise<void> {
  let info: Docker.ImageInspectInfo;
  try {
    info = await docker.getImage(image.id).inspect();
  } catch (err) {
    if (statusOf(err) === 404) {
      throw new DockconvError(`${image.ref} did not arrive: ${destination} has no image ${image.id}`);
    }
    throw err;
  }
  const layers = info.RootFS.Layers ?? [];
  const expected = image.layers.map((l) => l.diffId);
  if (info.Id !== image.id || layers.join() !== expected.join()) {
    throw new DockconvError(`${image.ref} arrived altered on ${destination}: image ID ${info.Id}, expected ${image.id}`);
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

export async function tagImage(docker: Docker, image: ImagePlan): Promise<void> {
  const tag = tagOf(image.ref, image.id);
  if (tag) await docker.getImage(image.id).tag(tag);
}
