/**
 * Labels every built image carries: the OCI annotations (version, revision, title, source) and
 * our own naming the project and image type, plus the inputs digest (inputs.ts).
 */
import { INPUTS_LABEL } from '../model/build-inputs';

export const PROJECT_LABEL = 'dev.dockconv.project';
export const IMAGE_LABEL = 'dev.dockconv.image';

export interface LabelValues {
  project: string;
  imageType: string;
  /** Repository name: the OCI title. */
  title: string;
  version?: string;
  revision?: string;
  source?: string;
  inputs?: string;
}

export function imageLabels(v: LabelValues): Record<string, string> {
  const labels: Record<string, string> = {
    'org.opencontainers.image.title': v.title,
    [PROJECT_LABEL]: v.project,
    [IMAGE_LABEL]: v.imageType,
  };
  if (v.version) labels['org.opencontainers.image.version'] = v.version;
  if (v.revision) labels['org.opencontainers.image.revision'] = v.revision;
  if (v.source) labels['org.opencontainers.image.source'] = v.source;
  if (v.inputs) labels[INPUTS_LABEL] = v.inputs;
  return labels;
}

/**
 * The labels as one Dockerfile `LABEL` instruction, values single-quoted so that nothing in them
 * is expanded; undefined when a value cannot be written so (a quote, a line break) or a key is
 * not a plain label key.
 */
export function labelInstruction(labels: Readonly<Record<string, string>>): string | undefined {
  const pairs = Object.entries(labels);
  if (pairs.length === 0) return undefined;
  const literal = pairs.every(([k, v]) => /^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(k) && !/['\r\n]/.test(v));
  return literal ? `LABEL ${pairs.map(([k, v]) => `${k}='${v}'`).join(' ')}` : undefined;
}
