/**
 * `docker-run`: runs one image of the project with its run.cfg configuration. The
 * command is printed before it runs (secrets as `$VAR`), the terminal is attached when there is
 * one, Ctrl-C stops the container, and the container's exit code is the task's result.
 */
import { logger, type ExecutorContext } from '@nx/devkit';
import { DockconvError } from '../../lib/errors';
import { findRunnableImage } from '../../lib/model/project';
import type { RunRequest } from '../../lib/run/command';
import { ensureImage } from '../../lib/run/ensure-image';
import { executeRun } from '../../lib/run/execute';
import { prepareRun } from '../../lib/run/prepare';
import { normalizePluginOptions } from '../../plugin/options';
import { assertKnownConfiguration, buildImageType, loadExecutorWorkspace, pluginOptionsOf, reportErrors } from '../shared';
import type { DockerRunExecutorSchema } from './schema';

export function normaliseOptions(options: DockerRunExecutorSchema): RunRequest {
  if (!options.image) throw new DockconvError('docker-run needs an image', { hint: 'nx run <project>:docker-run:<image>, or --image=<image>' });
  const env = options.env === undefined ? undefined : [options.env].flat().map(String);
  return {
    image: options.image,
    ...(options.command === undefined ? {} : { command: String(options.command) }),
    ...(options.keep ? { keep: true } : {}),
    ...(options.network ? { network: options.network } : {}),
    ...(options.gpu === undefined ? {} : { gpu: options.gpu }),
    ...(env ? { env } : {}),
    ...(options.args ? { args: options.args } : {}),
    ...(options.awsEnv === false ? { awsEnv: false } : {}),
  };
}

export default async function dockerRunExecutor(options: DockerRunExecutorSchema, context: ExecutorContext): Promise<{ success: boolean }> {
  return reportErrors(async () => {
    const workspace = loadExecutorWorkspace(context);
    const plugin = normalizePluginOptions(pluginOptionsOf(context));
    assertKnownConfiguration(workspace.project, [plugin.runTargetName], workspace.project.images.map((i) => i.type));
    const request = normaliseOptions(options);
    const dryRun = Boolean(options.dryRun);
    const buildTarget = plugin.buildTargetName;
    await ensureImage(findRunnableImage(workspace.project, request.image), {
      build: Boolean(options.build),
      dryRun,
      env: process.env,
      buildTarget,
      buildImage: (type) => buildImageType(workspace, type, dryRun),
      warn: (line) => logger.warn(line),
      runsHere: true,
    });
    const host = { env: process.env, cwd: context.cwd, stdinIsTTY: Boolean(process.stdin.isTTY) };
    const { command } = await prepareRun(workspace, workspace.project, request, host);
    const exitCode = await executeRun(command, { dryRun, env: process.env });
    if (exitCode === 0) return true;
    logger.error(exitCode === 125 ? `docker run failed (exit code 125)` : `container ${command.name} exited with code ${exitCode}`);
    process.exitCode = exitCode;
    return false;
  });
}
