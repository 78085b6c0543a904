#!/usr/bin/env node
/**
 * `publish-image <image>`: dockerutils' publish command on this package's publish library, in a
 * plain folder with docker/ (no Nx). The image is built first when missing or stale, exactly as
 * the publish executor does; every docker command is printed, `--dryrun` only prints them.
 */
import { imageId } from '../lib/model/graph';
import { buildAll } from '../lib/image-build';
import { provenanceOf } from '../lib/publish/provenance';
import { publishProject } from '../lib/publish';
import { buildableImages } from '../lib/model/project';
import { checkChoice, cliBuildSettings, loadCliProject, parseCommandLine, renameCliImage, runMain } from './project';
import { PUBLISH_IMAGE, publishRequestOf } from './publish-request';

async function main(argv: string[]): Promise<number> {
  const line = parseCommandLine(PUBLISH_IMAGE, argv);
  const env = process.env;
  const cli = loadCliProject(process.cwd(), env);
  const image = line.positionals[0] ?? '';
  checkChoice(image, ['all', ...buildableImages(cli.project).map((i) => i.type)], 'image');
  const name = line.text('image_name');
  if (name !== undefined) renameCliImage(cli, image, name);
  const dryRun = line.flag('dryrun') || line.flag('dry-run');
  const print = (text: string) => process.stdout.write(`${text}\n`);
  const trustShared = line.flag('trust-shared');
  const published = await publishProject(cli.project, publishRequestOf(line, image), {
    workspaceRoot: cli.workspaceRoot,
    dryRun,
    env,
    print,
    log: print,
    build: (type) => buildAll({ ...cliBuildSettings(cli, env, { dryRun, builtHereOnly: !trustShared }), project: cli.project, ...(type === undefined ? {} : { image: type }), parallel: 1, ranByNx: new Set() }),
    trustShared,
    provenance: (i) => provenanceOf(cli.graph, env, imageId(i.project, i.type)),
  });
  return published ? 0 : 1;
}

runMain(PUBLISH_IMAGE.name, PUBLISH_IMAGE.usage, () => main(process.argv.slice(2)));
