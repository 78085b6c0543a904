/**
 * `nx g @dockconv/nx:image <name> --project p`: a new image type: its Dockerfile from
 * a template, docker/base when the new image needs it and it is missing, and a [<name>] section in
 * run.cfg. Every check runs before the first write, so a refusal leaves the project as it was.
 */
import { logger, readNxJson, type GeneratorCallback, type Tree } from '@nx/devkit';
import { GENERATORS, PLUGIN_NAME } from '../../lib/model/conventions';
import { DockconvError } from '../../lib/errors';
import { isValidRepository, repositoryParts, sanitizeComponent } from '../../lib/model/naming';
import { BASE_IMAGE_TYPE, sectionNaming } from '../../lib/model/project';
import type { ConfigDocument } from '../../lib/model/run-config';
import { pluginOptionsFrom } from '../../plugin/options';
import {
  addRunConfigSection,
  assertExternalImage,
  clearErrors,
  DEFAULT_BASE_IMAGE,
  DEFAULT_GPU_BASE_IMAGE,
  dockerfileOf,
  isPluginRegistered,
  isTemplate,
  projectRoot,
  readRunConfigDoc,
  runConfigPath,
  scaffoldBase,
  TEMPLATES,
  writeDockerfile,
  type FromSpec,
  type Template,
} from '../shared';
import type { ImageGeneratorSchema } from './schema';

/** Section names run.cfg gives a meaning of their own. */
const RESERVED = ['run_image', 'DEFAULT'];

interface ImagePlan {
  project: string;
  root: string;
  name: string;
  template: Template;
  from: FromSpec;
  /** Set when docker/base must be created for the new image to build. */
  createBase?: string;
}

export async function imageGenerator(tree: Tree, options: ImageGeneratorSchema): Promise<GeneratorCallback> {
  const plan = clearErrors(() => planImage(tree, options));
  clearErrors(() => writeImage(tree, plan));
  if (!isPluginRegistered(tree)) logger.warn(`${PLUGIN_NAME} is not in nx.json plugins: run \`nx g ${GENERATORS.init}\` to get its targets.`);
  return () => logger.info(`Build it with: nx run ${plan.project}:docker-build:${plan.name}; run it with: nx run ${plan.project}:docker-run:${plan.name}`);
}

export function planImage(tree: Tree, options: ImageGeneratorSchema): ImagePlan {
  const root = projectRoot(tree, options.project);
  const name = assertImageName(options.name);
  const template = templateOf(options.template, name);
  const doc = readRunConfigDoc(tree, root);
  assertNewImage(tree, root, name, doc);
  const external = isBaseStyle(options, name, template);
  if (external && options.from !== undefined) {
    throw new DockconvError(`--from cannot be combined with a base-style image (--base, template base or the name base)`);
  }
  const baseImage = options.baseImage === undefined ? undefined : assertExternalImage(options.baseImage);
  const defaultImage = template === 'gpu' ? DEFAULT_GPU_BASE_IMAGE : DEFAULT_BASE_IMAGE;
  if (external) return { project: options.project, root, name, template, from: { kind: 'external', image: baseImage ?? defaultImage } };
  // `--from base` is the default spelled out: BASE_IMAGE names base whatever run.cfg calls it.
  const derivesFromBase = options.from === undefined || options.from === BASE_IMAGE_TYPE;
  const from = derivesFromBase ? ({ kind: 'base' } as const) : fromImage(tree, root, options.from ?? '', doc);
  const createBase = from.kind === 'base' && !tree.exists(dockerfileOf(root, BASE_IMAGE_TYPE));
  if (baseImage !== undefined && !createBase) {
    throw new DockconvError(`--baseImage applies to --base images, or to docker/base when it is created, and ${options.project} already has docker/base`, {
      hint: `edit the FROM of ${dockerfileOf(root, BASE_IMAGE_TYPE)}, or add --base`,
    });
  }
  return { project: options.project, root, name, template, from, ...(createBase ? { createBase: baseImage ?? DEFAULT_BASE_IMAGE } : {}) };
}

function writeImage(tree: Tree, plan: ImagePlan): void {
  if (plan.createBase !== undefined) {
    scaffoldBase(tree, plan.root, plan.project, plan.createBase);
    logger.info(`Created docker/base/Dockerfile (FROM ${plan.createBase}): ${plan.name} derives from it.`);
  }
  writeDockerfile(tree, { root: plan.root, project: plan.project, name: plan.name, template: plan.template, from: plan.from });
  addRunConfigSection(tree, plan.root, plan.project, plan.name, plan.template);
}

/** One repository component (what docker/<name>/ becomes in `<project>-<name>:<tag>`). */
export function assertImageName(name: string | undefined): string {
  if (!name) throw new DockconvError('no image name given', { hint: `nx g ${GENERATORS.image} <name> --project <project>` });
  if (RESERVED.includes(name)) throw new DockconvError(`'${name}' is a reserved run.cfg section name, not an image name`);
  if (name.includes('/') || !isValidRepository(name)) {
    const suggestion = sanitizeComponent(name);
    throw new DockconvError(`invalid image name '${name}'`, {
      hint: `lower-case letters and digits, separated by ., _, __ or -, e.g. '${suggestion}'`,
    });
  }
  return name;
}

function templateOf(template: string | undefined, name: string): Template {
  const chosen = template ?? (isTemplate(name) ? name : 'plain');
  if (!isTemplate(chosen)) throw new DockconvError(`unknown template '${chosen}'`, { hint: `templates: ${TEMPLATES.join(', ')}` });
  return chosen;
}

function assertNewImage(tree: Tree, root: string, name: string, doc: ConfigDocument): void {
  const dockerfile = dockerfileOf(root, name);
  if (tree.exists(dockerfile)) throw new DockconvError(`image '${name}' already exists`, { file: dockerfile });
  const section = doc.sections.get(name);
  if (section) {
    throw new DockconvError(`run.cfg already has a [${name}] section`, {
      file: runConfigPath(tree, root),
      line: section.line,
      hint: 'choose another name, or remove the section',
    });
  }
}

/** `base` itself, `--base` and the base template start FROM an external image. */
function isBaseStyle(options: ImageGeneratorSchema, name: string, template: Template): boolean {
  return options.base === true || template === 'base' || name === BASE_IMAGE_TYPE;
}

/**
 * FROM another image type of the project, spelled as the plugin names it: `${PROJECT}-<type>`
 * and `${TAG}` unless that image's run.cfg section sets its own `name`, `tag` or `prefix = false`.
 */
function fromImage(tree: Tree, root: string, type: string, doc: ConfigDocument): FromSpec {
  if (!tree.exists(dockerfileOf(root, type))) {
    throw new DockconvError(`--from names image '${type}', which does not exist`, { hint: `no ${dockerfileOf(root, type)}` });
  }
  const section = doc.sections.get(type);
  const naming = section && sectionNaming(section, doc.file);
  const repository = repositoryParts({ image: type, plugin: pluginOptionsFrom(readNxJson(tree) ?? undefined), section: naming });
  const tag = naming?.tag?.value;
  return { kind: 'image', type, repository, ...(tag === undefined ? {} : { tag }) };
}

export default imageGenerator;
