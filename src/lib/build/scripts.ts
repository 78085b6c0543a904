/**
 * run.cfg `pre_build_script` / `post_build_script`: shell commands by definition (SPEC §3), so
 * the one place a shell runs. They run at the project root, replacement variables expanded,
 * printed first like every command.
 */
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { loadExeca } from '../exec';
import { DockconvError } from '../errors';
import { formatCommand, type Shown } from '../shown';

export interface ScriptRun {
  key: 'pre_build_script' | 'post_build_script';
  script: Shown;
  cwd: string;
  env: NodeJS.ProcessEnv;
  prefix: string;
  label: string;
  dryRun: boolean;
  signal: AbortSignal;
  print: (line: string) => void;
}

export async function runScript(s: ScriptRun): Promise<void> {
  s.print(`${s.prefix}$ ${formatCommand(['sh', '-c', s.script])}`);
  if (s.dryRun) return;
  const { execa } = await loadExeca();
  const child = execa('sh', ['-c', s.script.value], {
    cwd: s.cwd,
    env: s.env,
    reject: false,
    stdio: ['ignore', 'pipe', 'pipe'],
    cancelSignal: s.signal,
    forceKillAfterDelay: 3000,
  });
  prefixLines(child.stdout, process.stdout, s.prefix);
  prefixLines(child.stderr, process.stderr, s.prefix);
  const result = await child;
  if (result.isCanceled) throw new DockconvError(`${s.key} of ${s.label} interrupted`);
  if (result.exitCode !== 0) {
    throw new DockconvError(`${s.key} of ${s.label} failed (exit ${result.exitCode ?? result.signal ?? '?'})`, { hint: s.script.shown });
  }
}

function prefixLines(from: Readable | null, to: NodeJS.WriteStream, prefix: string): void {
  if (from) createInterface({ input: from }).on('line', (line) => to.write(`${prefix}${line}\n`));
}
