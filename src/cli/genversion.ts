#!/usr/bin/env node
/**
 * `genversion`: dockerutils' version command. In the project folder (the one holding docker/)
 * it writes `_version.py.bld`, what versioneer would report now, for a Dockerfile to COPY so that
 * .git stays out of the image. Computed here, without running the project's versioneer.py.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DockconvError } from '../lib/errors';
import { getVersions, readVersioneerConfig, writeVersionFile } from '../lib/version';
import { parseCommandLine, runMain, type Command } from './project';

const COMMAND: Command = {
  name: 'genversion',
  usage: '[-h]',
  help: `Writes _version.py.bld in the project folder (the current folder, holding docker/) from the
project's versioneer settings (setup.cfg [versioneer] or pyproject.toml [tool.versioneer]).

options:
  -h, --help            show this help message and exit`,
  options: {},
  positionals: [],
};

async function main(argv: string[]): Promise<number> {
  parseCommandLine(COMMAND, argv);
  const root = process.cwd();
  if (!existsSync(join(root, 'docker'))) {
    throw new DockconvError(`no docker/ folder in ${root}`, { hint: 'run it in the project folder, the one that holds docker/' });
  }
  const config = await readVersioneerConfig(root);
  if (!config) {
    process.stderr.write(`${root}: no versioneer settings (setup.cfg [versioneer] or pyproject.toml [tool.versioneer]): nothing written\n`);
    return 0;
  }
  const versions = await getVersions(root, config);
  if (versions.error) process.stderr.write(`versioneer: ${versions.error}\n`);
  await writeVersionFile(root, join(root, '_version.py.bld'), versions);
  process.stdout.write(`wrote _version.py.bld: ${versions.version}\n`);
  return 0;
}

runMain(COMMAND.name, COMMAND.usage, () => main(process.argv.slice(2)));
