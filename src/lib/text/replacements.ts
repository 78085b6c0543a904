/**
 * The values of the replacement variables for one image, in one place so that run
 * values, build_args and scripts see the same `{user}`, `{project_root}`, … .
 * `{image}` is the image's repository (`demo-dev`) and `{tag}` its tag, so `{image}:{tag}` is
 * the reference. `{workdir}` is given only when known (run: from the Dockerfiles or the engine).
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ImageDef } from '../model/project';
import type { Replacements } from './variables';

export interface ReplacementFacts {
  workspaceRoot: string;
  user: string;
  /** The directory the user ran the command from. */
  cwd: string;
  workdir?: string;
  home?: string;
}

export function imageReplacements(image: ImageDef, facts: ReplacementFacts): Replacements {
  return {
    user: facts.user,
    project: image.project,
    project_root: join(facts.workspaceRoot, image.projectRoot),
    // run.cfg files of dockerutils' first era wrote the project root as {root}.
    root: join(facts.workspaceRoot, image.projectRoot),
    workspace_root: facts.workspaceRoot,
    home: facts.home ?? homedir(),
    cwd: facts.cwd,
    image: image.name.repository,
    tag: image.name.tag,
    ...(facts.workdir === undefined ? {} : { workdir: facts.workdir }),
  };
}
