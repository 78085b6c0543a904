/**
 * What the dockerutils command names share: the project is the current folder when it holds
 * docker/ (as dockerutils required), named after that folder in lower case; the workspace is that
 * one project. Errors become one `error:` line and exit 1, usage errors exit 2 (as argparse did).
 */
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { BuildSettings } from '../lib/image-build/session';
import { settleBuildSettings, type BuildRequest } from '../lib/image-build/settings';
import { describeError, describeWarning, DockconvError } from '../lib/errors';
import { DOCKER_DIR, renameImage, type DockerProject, type NamingOptions } from '../lib/model/project';
import { loadWorkspaceImages, type WorkspaceImages } from '../lib/model/workspace';

export interface CliProject extends WorkspaceImages {
  project: DockerProject;
}

/** The project name dockerutils derived: the project folder's name, lower case. */
export function projectNameOf(root: string): string {
  return basename(root).toLowerCase();
}

export function loadCliProject(cwd: string, env: NodeJS.ProcessEnv, overrides: NamingOptions['overrides'] = {}): CliProject {
  const docker = join(cwd, DOCKER_DIR);
  if (!existsSync(docker) || !statSync(docker).isDirectory()) {
    throw new DockconvError(`no ${DOCKER_DIR}/ folder in ${cwd}`, { hint: 'run it in the project folder, the one that holds docker/' });
  }
  const name = projectNameOf(cwd);
  const workspace = loadWorkspaceImages(cwd, [{ name, root: '' }], { env, overrides });
  const project = workspace.projects.get(name);
  if (!project) throw new DockconvError(`${docker} holds no <image>/Dockerfile and no run.cfg or dockerutils.cfg`);
  for (const warning of project.runConfig.warnings) process.stderr.write(`warning: ${describeWarning(warning)}\n`);
  return { ...workspace, project };
}

/** `-i/--image_name`: the image is built and found under this repository name instead of `<project>-<image>`. */
export function renameCliImage(cli: CliProject, type: string, name: string): void {
  if (type === 'all') throw new UsageError('argument -i/--image_name: names one image, not all');
  renameImage(cli.project, type, name, '--image_name');
}

/** Build settings of a command-line build: records of built images go to a per-project temp folder. */
export function cliBuildSettings(cli: CliProject, env: NodeJS.ProcessEnv, flags: Pick<BuildRequest, 'dryRun' | 'pull' | 'forceBase' | 'builtHereOnly'> = {}): BuildSettings {
  const records = join(tmpdir(), 'dockconv-cli', createHash('sha1').update(cli.workspaceRoot).digest('hex').slice(0, 12));
  return settleBuildSettings({ workspace: cli, env, records: { dir: records }, ...flags });
}

/** A command-line mistake: usage and the message on stderr, exit 2. */
export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>;

export interface Command {
  name: string;
  usage: string;
  help: string;
  options: Options;
  positionals: string[];
}

export interface CommandLine {
  flag(name: string): boolean;
  text(name: string): string | undefined;
  list(name: string): string[];
  positionals: string[];
}

/** Parses argv as the command's flags and positionals; `-h`/`--help` prints the help and exits 0. */
export function parseCommandLine(command: Command, argv: string[]): CommandLine {
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    const options: Options = { ...command.options, help: { type: 'boolean', short: 'h' } };
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (values['help'] === true) {
    process.stdout.write(`usage: ${command.name} ${command.usage}\n\n${command.help}\n`);
    process.exit(0);
  }
  if (positionals.length < command.positionals.length) {
    throw new UsageError(`the following arguments are required: ${command.positionals.slice(positionals.length).join(', ')}`);
  }
  if (positionals.length > command.positionals.length) {
    throw new UsageError(`unrecognized arguments: ${positionals.slice(command.positionals.length).join(' ')}`);
  }
  return {
    flag: (name) => values[name] === true,
    text: (name) => (typeof values[name] === 'string' ? values[name] : undefined),
    list: (name) => {
      const value = values[name];
      return Array.isArray(value) ? value.map(String) : typeof value === 'string' ? [value] : [];
    },
    positionals,
  };
}

/** Runs a command's main; its result is the exit code. */
export function runMain(name: string, usage: string, main: () => Promise<number>): void {
  main().then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      if (err instanceof UsageError) {
        process.stderr.write(`usage: ${name} ${usage}\n${name}: error: ${err.message}\n`);
        process.exitCode = 2;
        return;
      }
      process.stderr.write(`error: ${describeError(err)}\n`);
      if (!(err instanceof DockconvError) && process.env['DOCKCONV_DEBUG']) process.stderr.write(`${(err as Error).stack}\n`);
      process.exitCode = 1;
    },
  );
}

/** An argparse-style choice check for the image argument. */
export function checkChoice(value: string, choices: readonly string[], what: string): void {
  if (!choices.includes(value)) {
    throw new UsageError(`argument ${what}: invalid choice: '${value}' (choose from ${choices.map((c) => `'${c}'`).join(', ')})`);
  }
}
