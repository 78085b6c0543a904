/**
 * Before Nx hashes the tasks of a command: the state of every image, as environment variables
 * the per-image build targets take as inputs (src/lib/cache explains what a state stands for).
 * A command that runs no image build asks the engine nothing and reads no build context.
 */
// Types only: loading @nx/devkit at run time costs a plugin worker ~200 ms on every command.
import type { PreTasksExecution } from '@nx/devkit';
import { readNxCommand } from '../lib/cache/nx-command';
import { STATE_SCOPE_VARIABLE } from '../lib/cache/state-variables';
import { takeImageStates } from '../lib/cache/take-states';
import { readTaskScope } from '../lib/cache/task-scope';
import { uncheckedState } from '../lib/cache/image-states';
import { namingLayerOf, normalizePluginOptions, type DockconvPluginOptions } from './options';

export const preTasksExecution: PreTasksExecution<DockconvPluginOptions> = async (rawOptions, context) => {
  const options = normalizePluginOptions(rawOptions);
  let states: Record<string, string>;
  try {
    states = await takeImageStates({
      workspaceRoot: context.workspaceRoot,
      command: readNxCommand(context.argv),
      scope: readTaskScope(context.workspaceRoot),
      naming: { plugin: namingLayerOf(options) },
      env: process.env,
    });
  } catch {
    // Whatever went wrong, the command goes on: its image tasks run and check their images.
    states = { [STATE_SCOPE_VARIABLE]: uncheckedState() };
  }
  Object.assign(process.env, states);
};
