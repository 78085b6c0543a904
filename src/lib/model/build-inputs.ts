/**
 * The exact inputs of one image build, hashed into one digest that
 * is stored on the image as the `dev.dockconv.inputs` label. When the image on the engine
 * carries the digest of the inputs computed now, nothing it depends on changed and no
 * `docker build` runs, even where Nx's coarser file inputs missed its cache.
 */
import { createHash } from 'node:crypto';

export const INPUTS_LABEL = 'dev.dockconv.inputs';
/** Bumped when what the digest covers changes, so old labels never match by accident. */
const SCHEME = 2;

export interface BuildInputs {
  dockerfile: string;
  dockerignore: string;
  /** `[path, digest]` of every context file the build copies (after .dockerignore). */
  contextFiles: readonly (readonly [string, string])[];
  /** The image's run.cfg build keys, as written. */
  buildKeys: Readonly<Record<string, string>>;
  /** Final build arg values. */
  buildArgs: Readonly<Record<string, string>>;
  /** Other docker build flags (from run.cfg build_args). */
  flags: readonly string[];
  /** The image reference built (name and tag). */
  ref: string;
  /**
   * Image IDs of every FROM / COPY --from image, workspace parents and external images alike.
   * They tie the image to what it was built on; the engine is left out, so an engine that holds
   * the same parents can take an image built elsewhere from the same inputs (shared builds).
   */
  parents: Readonly<Record<string, string>>;
  /** BuildKit secrets and ssh: where each comes from (a path, a variable's name), never a value. */
  mounts?: { secrets: readonly string[]; ssh: readonly string[] };
  /** The platforms built for, sorted; absent for the engine's own (no `--platform`). */
  platforms?: readonly string[];
}

/** A digest independent of key order: objects are hashed with sorted keys. */
export function inputsDigest(inputs: BuildInputs): string {
  const canonical = JSON.stringify({ scheme: SCHEME, ...inputs }, (_key, value: unknown) =>
    value && typeof value === 'object' && !Array.isArray(value) ? sortKeys(value as Record<string, unknown>) : value,
  );
  return `sha256:${createHash('sha256').update(canonical).digest('hex')}`;
}

function sortKeys(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.keys(value).sort().map((k) => [k, value[k]]));
}
