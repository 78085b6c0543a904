/**
 * One look at the engine per Nx invocation: its ID and which image ID each of our references
 * points at now. Every per-image cache decision of the invocation reads this instead of asking the
 * engine per image, so a no-op costs two docker queries whatever the number of images.
 */
import { query } from '../image-build/engine';
import { INPUTS_LABEL } from '../image-build/inputs';

export interface EngineSnapshot {
  engine: string;
  /** `repository:tag` → image ID, for images this plugin built (they carry the inputs label). */
  images: ReadonlyMap<string, string>;
}

/** undefined when no engine answers: then nothing can be vouched for. */
export async function takeEngineSnapshot(env: NodeJS.ProcessEnv): Promise<EngineSnapshot | undefined> {
  const [info, list] = await Promise.all([
    query(['info', '--format', '{{.ID}}'], env),
    query(['image', 'ls', '--no-trunc', '--filter', `label=${INPUTS_LABEL}`, '--format', '{{.Repository}}:{{.Tag}}\t{{.ID}}'], env),
  ]);
  const engine = info.stdout.trim();
  if (info.exitCode !== 0 || !engine || list.exitCode !== 0) return undefined;
  return { engine, images: parseImageList(list.stdout) };
}

/** Lines of `repository:tag<TAB>id`; untagged images (`<none>`) name no reference. */
export function parseImageList(text: string): Map<string, string> {
  const images = new Map<string, string>();
  for (const line of text.split('\n')) {
    const [ref, id] = line.trim().split('\t');
    if (!ref || !id || ref.includes('<none>')) continue;
    images.set(ref, id);
  }
  return images;
}
