#!/usr/bin/env node
/**
 * `build-image <image|all|clean>`: dockerutils' build command on this package's build library,
 * in a plain folder with docker/ (no Nx). Same flags; missing or stale images it derives from are
 * built first, and `--dryrun` prints every command without running it.
 */
import { buildAll } from '../lib/image-build';
import { engineOf } from '../lib/docker/engine';
import { imageId } from '../lib/model/graph';
import { assertValidTag, withSuffix } from '../lib/model/naming';
import { buildableImages } from '../lib/model/project';
import { checkChoice, cliBuildSettings, loadCliProject, parseCommandLine, renameCliImage, runMain, type CliProject, type Command } from './project';

const COMMAND: Command = {
  name: 'build-image',
  usage: '[-h] [-f] [-i IMAGE_NAME] [-t IMAGE_TAG] [-p] [--dryrun] image',
  help: `Builds docker/<image>/Dockerfile of the project in the current folder as <project>-<image>:<user>.

positional arguments:
  image                 an image type (a folder of docker/), all (every image) or clean (remove them)

options:
  -h, --help            show this help message and exit
  -f, --force_build_base
                        rebuild the base image first, then the image
  -i IMAGE_NAME, --image_name IMAGE_NAME
                        the image's name instead of <project>-<image>
  -t IMAGE_TAG, --image_tag IMAGE_TAG
                        the tag instead of the default
  -p, --pull_base       pull the external images the Dockerfiles start from
  --dryrun, --dry-run   print the commands, run nothing`,
  options: {
    force_build_base: { type: 'boolean', short: 'f' },
    image_name: { type: 'string', short: 'i' },
    image_tag: { type: 'string', short: 't' },
    pull_base: { type: 'boolean', short: 'p' },
    dryrun: { type: 'boolean' },
    'dry-run': { type: 'boolean' },
  },
  positionals: ['image'],
};

async function main(argv: string[]): Promise<number> {
  const line = parseCommandLine(COMMAND, argv);
  const env = process.env;
  const tag = line.text('image_tag');
  if (tag !== undefined) assertValidTag(tag, { file: '--image_tag' });
  const cli = loadCliProject(process.cwd(), env, tag ? { tag } : {});
  const types = buildableImages(cli.project).map((i) => i.type);
  const image = line.positionals[0] ?? '';
  checkChoice(image, ['all', 'clean', ...types], 'image');
  const dryRun = line.flag('dryrun') || line.flag('dry-run');
  if (image === 'clean') return clean(cli, dryRun, env);
  const name = line.text('image_name');
  if (name !== undefined) renameCliImage(cli, image, name);
  const settings = cliBuildSettings(cli, env, { dryRun, pull: line.flag('pull_base'), forceBase: line.flag('force_build_base') });
  const built = await buildAll({ ...settings, project: cli.project, ...(image === 'all' ? {} : { image }), parallel: 1, ranByNx: new Set() });
  return built ? 0 : 1;
}

/** Removes every image of the project (and its builder stage image); one already gone is no failure. */
async function clean(cli: CliProject, dryRun: boolean, env: NodeJS.ProcessEnv): Promise<number> {
  for (const image of buildableImages(cli.project)) {
    const node = cli.graph.get(imageId(cli.project.name, image.type));
    const refs = [image.name.ref, ...(node?.dockerfile.builderStage ? [withSuffix(image.name, 'builder').ref] : [])];
    for (const ref of refs) await engineOf(env).command(['rmi', ref], { dryRun });
  }
  return 0;
}

runMain(COMMAND.name, COMMAND.usage, () => main(process.argv.slice(2)));
