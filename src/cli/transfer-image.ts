#!/usr/bin/env node
/**
 * `transfer-image <image> <destination-host>`: dockerutils' transfer command on this package's
 * transfer library. The image is an image type of the project in the current folder (when it has
 * docker/) or any image reference; the destination a host reached over ssh (`host`, `user@host`,
 * SSH_KEY naming the key as before) or any destination the transfer-image executor takes.
 */
import { buildAll } from '../lib/image-build';
import { DockconvError } from '../lib/errors';
import { ensureImage } from '../lib/run/ensure-image';
import { parseDestination } from '../lib/docker/endpoint';
import { progressMode } from '../lib/transfer/progress';
import { transferImages } from '../lib/transfer/transfer';
import { cliBuildSettings, loadCliProject, parseCommandLine, runMain, type Command } from './project';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const COMMAND: Command = {
  name: 'transfer-image',
  usage: '[-h] [--full] [--dryrun] image destination',
  help: `Sends an image to another Docker host without a registry: only the layers it lacks travel.

positional arguments:
  image                 an image type of the project in the current folder, or an image reference (name:tag)
  destination           the host: host or user@host (over ssh; SSH_KEY names the key), ssh://…, tcp://…, or a Docker context

options:
  -h, --help            show this help message and exit
  --full                send every layer
  --dryrun, --dry-run   print the plan, send nothing`,
  options: {
    full: { type: 'boolean' },
    dryrun: { type: 'boolean' },
    'dry-run': { type: 'boolean' },
  },
  positionals: ['image', 'destination'],
};

/** dockerutils took a bare host name for ssh; a Docker context of that name still comes first. */
function destinationOf(spec: string, env: NodeJS.ProcessEnv): string {
  if (spec.includes('://') || spec.includes('@')) return spec;
  try {
    parseDestination(spec, env);
    return spec;
  } catch (err) {
    if (err instanceof DockconvError) return `ssh://${spec}`;
    throw err;
  }
}

/** An image type of the project here becomes its reference, built first when missing. */
async function referenceOf(value: string, dryRun: boolean, env: NodeJS.ProcessEnv): Promise<string> {
  if (!existsSync(join(process.cwd(), 'docker'))) return value;
  const cli = loadCliProject(process.cwd(), env);
  const image = cli.project.images.find((i) => i.type === value);
  if (!image) return value;
  await ensureImage(image, {
    build: true,
    dryRun,
    env,
    buildTarget: 'build-image',
    buildHint: (t) => `build-image ${t}`,
    buildImage: (t) => buildAll({ ...cliBuildSettings(cli, env, { dryRun }), project: cli.project, image: t, parallel: 1, ranByNx: new Set() }),
  });
  return image.name.ref;
}

async function main(argv: string[]): Promise<number> {
  const line = parseCommandLine(COMMAND, argv);
  const env = process.env;
  const [image = '', destination = ''] = line.positionals;
  const dryRun = line.flag('dryrun') || line.flag('dry-run');
  const ref = await referenceOf(image, dryRun, env);
  await transferImages({
    images: [ref],
    to: destinationOf(destination, env),
    full: line.flag('full'),
    dryRun,
    log: (text) => process.stdout.write(`${text}\n`),
    progress: progressMode(),
  });
  return 0;
}

runMain(COMMAND.name, COMMAND.usage, () => main(process.argv.slice(2)));
