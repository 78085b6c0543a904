/**
 * A cheap digest of what an image's build reads, taken before Nx hashes anything: the small
 * files by content (Dockerfile, .dockerignore, run.cfg), the context files the Dockerfile copies
 * by path, size, mode and modification time, and the git version where the image consumes it.
 * It only has to change whenever the build's result may change; a touch that changes nothing
 * costs one task that runs and finds its image current.
 */
import { createHash } from 'node:crypto';
import { lstatSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { contextSources } from '../model/dockerfile';
import type { ImageNode } from '../model/graph';
import { contextFiles, readDockerignore } from '../model/context-files';
import { PIP_CONF, PIP_CONF_TEMPLATE, pipConfFromTemplate } from '../model/pip-conf';
import type { DockerProject } from '../model/project';
import { consumesVersion } from '../model/version-inputs';

export function imageFingerprint(node: ImageNode, project: DockerProject, gitVersion: () => string): string {
  const hash = createHash('sha256');
  const add = (part: string | Buffer) => hash.update(part).update('\0');
  add(readOrEmpty(join(project.rootAbs, node.image.dockerfile ?? '')));
  add(project.runConfig.file ? readOrEmpty(project.runConfig.file) : '');
  const { text, ignore } = readDockerignore(project.rootAbs);
  add(text);
  const virtual = pipConfFromTemplate(project.rootAbs) ? [PIP_CONF] : [];
  for (const file of contextFiles(project.rootAbs, contextSources(node.dockerfile), ignore, virtual)) {
    add(file);
    add(statOf(join(project.rootAbs, file === PIP_CONF && virtual.length ? PIP_CONF_TEMPLATE : file)));
  }
  if (consumesVersion(node.dockerfile)) add(gitVersion());
  return hash.digest('hex');
}

function statOf(path: string): string {
  try {
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) return `link:${readlinkSync(path)}`;
    return `${stat.size}:${stat.mode}:${stat.mtimeMs}:${stat.ino}`;
  } catch {
    return 'missing';
  }
}

function readOrEmpty(path: string): Buffer | string {
  try {
    return readFileSync(path);
  } catch {
    return '';
  }
}
