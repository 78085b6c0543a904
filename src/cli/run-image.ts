#!/usr/bin/env node
/**
 * `run-image <image>`: dockerutils' run command on this package's run library, in a plain folder
 * with docker/ (no Nx): the image's docker/run.cfg (or dockerutils.cfg) section, the same flags,
 * the command printed before it runs (`--dryrun` only prints it), the container's exit code.
 */
import { buildAll } from '../lib/image-build';
import { findRunnableImage } from '../lib/model/project';
import type { RunRequest } from '../lib/run/command';
import { ensureImage } from '../lib/run/ensure-image';
import { executeRun } from '../lib/run/execute';
import { prepareRun } from '../lib/run/prepare';
import { checkChoice, cliBuildSettings, loadCliProject, parseCommandLine, runMain, type CommandLine, type Command } from './project';

const COMMAND: Command = {
  name: 'run-image',
  usage: '[-h] [-a ARGS] [-k] [-c COMMAND] [-n NETWORK] [-g] [-e ENV] [-p] [--build] [--no-aws-env] [--dryrun] image',
  help: `Runs an image of the project in the current folder with its run.cfg (or dockerutils.cfg) section.

positional arguments:
  image                 an image type (a folder of docker/), a synthetic image or a configuration-only image

options:
  -h, --help            show this help message and exit
  -a ARGS, --args ARGS  more docker run flags ({name} replaced as in run.cfg)
  -k, --keep            keep the container: run it detached, without --rm
  -c COMMAND, --command COMMAND
                        the command instead of the section's cmd; a known {name} ({workdir}, {user}, …)
                        is replaced also inside single quotes, an unknown {identifier} is an error,
                        {{ and }} are literal braces, any other brace goes through as written
  -n NETWORK, --network NETWORK
                        the network instead of the section's network
  -g, --use-gpu         give the container the GPUs
  -e ENV, --env ENV     an environment variable NAME=value for the container (repeatable)
  -p, --pre             no --init, for engines before API 1.25
  --build               build the image first when the engine lacks it
  --no-aws-env          do not pass the host's AWS_* credential variables
  --dryrun, --dry-run   print the command, run nothing`,
  options: {
    args: { type: 'string', short: 'a' },
    keep: { type: 'boolean', short: 'k' },
    command: { type: 'string', short: 'c' },
    network: { type: 'string', short: 'n' },
    'use-gpu': { type: 'boolean', short: 'g' },
    env: { type: 'string', short: 'e', multiple: true },
    pre: { type: 'boolean', short: 'p' },
    build: { type: 'boolean' },
    'no-aws-env': { type: 'boolean' },
    dryrun: { type: 'boolean' },
    'dry-run': { type: 'boolean' },
  },
  positionals: ['image'],
};

function requestOf(line: CommandLine, image: string): RunRequest {
  const command = line.text('command');
  const network = line.text('network');
  const args = line.text('args');
  const env = line.list('env');
  return {
    image,
    ...(command !== undefined ? { command } : {}),
    ...(line.flag('keep') ? { keep: true } : {}),
    ...(network ? { network } : {}),
    ...(line.flag('use-gpu') ? { gpu: true } : {}),
    ...(env.length ? { env } : {}),
    ...(args ? { args } : {}),
    ...(line.flag('pre') ? { init: false } : {}),
    ...(line.flag('no-aws-env') ? { awsEnv: false } : {}),
  };
}

async function main(argv: string[]): Promise<number> {
  const line = parseCommandLine(COMMAND, argv);
  const env = process.env;
  const cli = loadCliProject(process.cwd(), env);
  const type = line.positionals[0] ?? '';
  checkChoice(type, cli.project.images.map((i) => i.type), 'image');
  const dryRun = line.flag('dryrun') || line.flag('dry-run');
  await ensureImage(findRunnableImage(cli.project, type), {
    build: line.flag('build'),
    dryRun,
    env,
    buildTarget: 'build-image',
    buildHint: (t) => `build-image ${t}`,
    buildImage: (t) => buildAll({ ...cliBuildSettings(cli, env, { dryRun }), project: cli.project, image: t, parallel: 1, ranByNx: new Set() }),
    runsHere: true,
  });
  const host = { env, cwd: process.cwd(), stdinIsTTY: Boolean(process.stdin.isTTY) };
  const { command } = await prepareRun(cli, cli.project, requestOf(line, type), host);
  return executeRun(command, { dryRun, env });
}

runMain(COMMAND.name, COMMAND.usage, () => main(process.argv.slice(2)));
