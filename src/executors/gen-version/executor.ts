/**
 * `gen-version`: writes `_version.py.bld` from what versioneer would compute now and
 * prints the version. Without versioneer settings there is nothing to write; the git describe
 * version is printed so the user sees what `VERSION` build args will carry.
 */
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { logger, type ExecutorContext } from '@nx/devkit';
import { DockconvError, describeError } from '../../lib/errors';
import { describeVersion, getVersions, isStyle, readVersioneerConfig, writeVersionFile } from '../../lib/version';
import type { GenVersionExecutorSchema } from './schema';

interface Normalised {
  projectRoot: string;
  output: string;
  style?: string;
}

export function normaliseOptions(options: GenVersionExecutorSchema, context: ExecutorContext): Normalised {
  const name = context.projectName;
  const project = name ? context.projectsConfigurations?.projects[name] : undefined;
  if (!project) throw new DockconvError(`gen-version needs a project; '${name ?? ''}' is not one`);
  const projectRoot = join(context.root, project.root);
  const output = resolve(projectRoot, options.output || '_version.py.bld');
  const rel = relative(projectRoot, output);
  if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
    throw new DockconvError(`output '${options.output}' is not a file inside the project root ${project.root || '.'}`);
  }
  if (options.style !== undefined && !isStyle(options.style)) {
    throw new DockconvError(`unknown style '${options.style}'`, { hint: 'see the executor schema for the eight styles' });
  }
  return { projectRoot, output, style: options.style };
}

export default async function genVersionExecutor(
  options: GenVersionExecutorSchema,
  context: ExecutorContext,
): Promise<{ success: boolean }> {
  try {
    const opts = normaliseOptions(options, context);
    const config = await readVersioneerConfig(opts.projectRoot);
    if (!config) return await reportWithoutVersioneer(opts.projectRoot);
    const versions = await getVersions(opts.projectRoot, config, opts.style ? { style: opts.style } : {});
    if (versions.error) logger.warn(`versioneer: ${versions.error}`);
    const changed = await writeVersionFile(opts.projectRoot, opts.output, versions);
    const shown = relative(context.root, opts.output) || opts.output;
    logger.info(`${changed ? 'wrote' : 'unchanged'} ${shown}`);
    logger.log(versions.version);
    return { success: true };
  } catch (err) {
    logger.error(describeError(err));
    return { success: false };
  }
}

async function reportWithoutVersioneer(projectRoot: string): Promise<{ success: boolean }> {
  const described = await describeVersion(projectRoot);
  logger.info('no versioneer settings (setup.cfg [versioneer] or pyproject.toml [tool.versioneer]): nothing written');
  if (!described) {
    logger.warn(`${projectRoot} is not in a git repository with commits: no version`);
    return { success: true };
  }
  logger.log(`${described.version} (${described.commit})`);
  return { success: true };
}
