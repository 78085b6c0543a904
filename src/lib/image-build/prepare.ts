/**
 * Everything one image build needs decided before docker runs: build args (automatic,
 * run.cfg, option), extra flags, and the digest of its exact inputs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { contextSources, externalImages } from '../model/dockerfile';
import type { ImageNode } from '../model/graph';
import { namingBuildArgs, projectWideBuildKey, type DockerProject } from '../model/project';
import { BUILD_KEYS } from '../model/run-config';
import { consumesVersion } from '../model/version-inputs';
import { formatCommand, type Shown } from '../text/shown';
import { platformFlags, platformsOf } from './platforms';
import { hasMounts, mergeMounts, mountFlags, NO_MOUNTS, parseMounts, type BuildMounts } from './build-mounts';
import { automaticBuildArgs, buildArgValues, mergeBuildArgs, parseBuildArgsConfig, type BuildArgs } from './build-args';
import { contextFiles, digestFiles, readDockerignore } from '../model/context-files';
import { inputsDigest } from '../model/build-inputs';
import { PIP_CONF, PIP_CONF_TEMPLATE, pipConfFromTemplate } from '../model/pip-conf';
import type { BuildSession } from './session';

export interface PreparedBuild {
  /** The Dockerfile's text as digested: what the build is given. */
  dockerfileText: string;
  buildArgs: Map<string, Shown>;
  flags: Shown[];
  /** FROM / COPY --from images → their IDs now ('missing' when the engine lacks one). */
  parents: Record<string, string>;
  digest: string;
  /** The platforms it is built for; none: the engine's own. */
  platforms: string[];
}

export async function prepareBuild(s: BuildSession, node: ImageNode, project: DockerProject): Promise<PreparedBuild> {
  // git is asked only where the version is an input; labels of a build ask it later.
  const version = consumesVersion(node.dockerfile) ? await s.versionOf(project) : {};
  const fromConfig = configBuildArgs(s, node, project);
  const automatic = automaticBuildArgs(node.dockerfile, {
    ...namingBuildArgs(project, node.image),
    VERSION: version.version,
    GIT_COMMIT: version.commit,
  });
  const buildArgs = mergeBuildArgs(automatic, fromConfig.args, s.buildArgs);
  const parents = await parentIds(s, node, buildArgValues(buildArgs));
  const dockerfileText = readFileSync(join(project.rootAbs, node.image.dockerfile ?? ''), 'utf8');
  const mounts = mergeMounts(configMounts(s, node, project), s.mounts ?? NO_MOUNTS);
  const platforms = platformsOf(s.graph, node, s.platforms, (n) => {
    const owner = s.projects.get(n.image.project);
    const entry = owner && projectWideBuildKey(owner, n.image, 'platforms');
    return entry && { entry, file: owner.runConfig.file };
  });
  const platformFlag = platforms.length > 0 ? platformFlags(platforms, s.builder, await s.facts(), node.id) : [];
  const extra = [...platformFlag, ...mountFlags(mounts, s.builder, node.id)].map((value) => ({ value, shown: formatCommand([value]) }));
  const digest = inputsDigest({
    dockerfile: dockerfileText,
    dockerignore: readDockerignore(project.rootAbs).text,
    contextFiles: contextDigests(node, project),
    buildKeys: buildKeys(node),
    buildArgs: buildArgValues(buildArgs),
    flags: fromConfig.flags.map((f) => f.value),
    ref: node.image.name.ref,
    parents,
    // Where each secret comes from, never its value; absent without any, so other digests stay.
    ...(hasMounts(mounts) ? { mounts } : {}),
    // A change of platforms rebuilds: nothing built for one is ever taken for another.
    ...(platforms.length > 0 ? { platforms: [...platforms].sort() } : {}),
  });
  return { dockerfileText, buildArgs, flags: [...fromConfig.flags, ...extra], parents, digest, platforms };
}

function configBuildArgs(s: BuildSession, node: ImageNode, project: DockerProject): BuildArgs {
  const entry = node.image.section?.entries.get('build_args');
  if (!entry) return { args: new Map(), flags: [] };
  const where = { file: project.runConfig.file, line: entry.line };
  return parseBuildArgsConfig(entry.value, s.replacements(node.image), s.env, where);
}

/** run.cfg `secrets` and `ssh`; relative paths start at the project root, where run.cfg is. */
function configMounts(s: BuildSession, node: ImageNode, project: DockerProject): BuildMounts {
  const paths = { base: project.rootAbs, cwd: s.workspaceRoot };
  const one = (key: 'secrets' | 'ssh') => {
    const entry = projectWideBuildKey(project, node.image, key);
    if (!entry) return NO_MOUNTS;
    const where = { file: project.runConfig.file, line: entry.line };
    return key === 'secrets' ? parseMounts([entry.value], [], paths, s.env, where) : parseMounts([], [entry.value], paths, s.env, where);
  };
  return mergeMounts(one('secrets'), one('ssh'));
}

async function parentIds(s: BuildSession, node: ImageNode, args: Record<string, string>): Promise<Record<string, string>> {
  const refs = externalImages(node.dockerfile, args);
  const ids = await Promise.all(refs.map(async (ref) => (await s.inspect(ref))?.id ?? 'missing'));
  return Object.fromEntries(refs.map((ref, i) => [ref, ids[i] ?? 'missing']));
}

function contextDigests(node: ImageNode, project: DockerProject): [string, string][] {
  const { ignore } = readDockerignore(project.rootAbs);
  // pip.conf exists only during the build; its template's content is what the build will see.
  const overlay = new Map<string, string>();
  if (pipConfFromTemplate(project.rootAbs)) overlay.set(PIP_CONF, join(project.rootAbs, PIP_CONF_TEMPLATE));
  const files = contextFiles(project.rootAbs, contextSources(node.dockerfile), ignore, [...overlay.keys()]);
  return digestFiles(project.rootAbs, files, overlay);
}

function buildKeys(node: ImageNode): Record<string, string> {
  const entries = node.image.section?.entries;
  return Object.fromEntries(BUILD_KEYS.flatMap((k) => (entries?.has(k) ? [[k, entries.get(k)?.value ?? '']] : [])));
}
