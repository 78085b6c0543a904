/**
 * `nx g @dockconv/nx:init [--project p]`: registers the plugin in nx.json and, for a project,
 * scaffolds what makes it conform: docker/base/Dockerfile, docker/run.cfg, .dockerignore.
 * Running it again changes nothing: registration is idempotent and existing files are kept.
 */
import { posix } from 'node:path';
import { formatFiles, logger, readNxJson, updateNxJson, type Tree } from '@nx/devkit';
import { PLUGIN_NAME } from '../../lib/model/conventions';
import { BASE_IMAGE_TYPE } from '../../lib/model/project';
import {
  addRunConfigSection,
  assertExternalImage,
  clearErrors,
  DEFAULT_BASE_IMAGE,
  isPluginRegistered,
  projectRoot,
  readRunConfigDoc,
  runConfigPath,
  scaffoldBase,
  scaffoldDockerignore,
} from '../shared';
import type { InitGeneratorSchema } from './schema';

export async function initGenerator(tree: Tree, options: InitGeneratorSchema): Promise<void> {
  // Validate and plan the project scaffold before touching nx.json, so a refusal writes nothing.
  const scaffold = options.project ? clearErrors(() => planProject(tree, options)) : undefined;
  registerPlugin(tree);
  if (scaffold) clearErrors(() => scaffoldProject(tree, scaffold));
  if (!options.skipFormat) await formatFiles(tree);
}

/** Adds the plugin to nx.json `plugins` unless it is there (as a name or an entry with options). */
export function registerPlugin(tree: Tree): boolean {
  const nxJson = readNxJson(tree);
  if (!nxJson) {
    logger.warn(`nx.json not found: add "${PLUGIN_NAME}" to its "plugins" yourself.`);
    return false;
  }
  const plugins = nxJson.plugins ?? [];
  if (isPluginRegistered(tree)) {
    logger.info(`${PLUGIN_NAME} is already registered in nx.json.`);
    return false;
  }
  updateNxJson(tree, { ...nxJson, plugins: [...plugins, PLUGIN_NAME] });
  logger.info(`Registered ${PLUGIN_NAME} in nx.json plugins.`);
  return true;
}

interface ProjectScaffold {
  project: string;
  root: string;
  baseImage: string;
}

function planProject(tree: Tree, options: InitGeneratorSchema): ProjectScaffold {
  const root = projectRoot(tree, options.project);
  const baseImage = assertExternalImage(options.baseImage ?? DEFAULT_BASE_IMAGE);
  readRunConfigDoc(tree, root); // an existing run.cfg that does not parse is reported now
  return { project: options.project ?? '', root, baseImage };
}

function scaffoldProject(tree: Tree, { project, root, baseImage }: ProjectScaffold): void {
  const kept: string[] = [];
  if (!scaffoldBase(tree, root, project, baseImage)) kept.push('docker/base/Dockerfile');
  // An existing run.cfg is the user's: init adds nothing to it (sections are optional).
  if (tree.exists(runConfigPath(tree, root))) kept.push(posix.relative(root, runConfigPath(tree, root)));
  else addRunConfigSection(tree, root, project, BASE_IMAGE_TYPE, 'base');
  if (!scaffoldDockerignore(tree, root)) kept.push('.dockerignore');
  if (kept.length) logger.info(`Kept the existing ${kept.join(', ')} of ${project}.`);
}

export default initGenerator;
