/**
 * The packed transfer-image executor, called as Nx calls it, with what it printed captured.
 */
import type { ExecutorContext } from '@nx/devkit';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { REPO_ROOT } from './engine';

type Executor = (options: Record<string, unknown>, context: ExecutorContext) => Promise<{ success: boolean }>;

/** The packed executor as Nx loads it (dist/ is built by `node scripts/test.mjs e2e`). */
function executor(): Executor {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(join(REPO_ROOT, 'dist/executors/transfer-image/executor.js')) as { default: Executor }).default;
}

const context: ExecutorContext = {
  root: tmpdir(),
  cwd: tmpdir(),
  isVerbose: false,
  projectsConfigurations: { version: 2, projects: {} },
  nxJsonConfiguration: {},
  projectGraph: { nodes: {}, dependencies: {} },
};

/** Runs the executor, returning its result and everything it printed. */
export async function transfer(options: Record<string, unknown>, env: NodeJS.ProcessEnv = {}): Promise<{ success: boolean; out: string }> {
  const lines: string[] = [];
  const saved = { log: console.log, info: console.info, warn: console.warn, error: console.error };
  // Nx's logger colours its lines where it thinks a terminal or CI wants colour.
  const capture = (...args: unknown[]) => void lines.push(stripVTControlCharacters(args.map(String).join(' ')));
  Object.assign(console, { log: capture, info: capture, warn: capture, error: capture });
  const savedEnv = { ...process.env };
  Object.assign(process.env, env);
  try {
    const { success } = await executor()(options, context);
    return { success, out: lines.join('\n') };
  } finally {
    Object.assign(console, saved);
    process.env = savedEnv;
  }
}

