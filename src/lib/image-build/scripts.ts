/**
 * run.cfg `pre_build_script` / `post_build_script`: shell commands by definition, so the one
 * place a shell runs. They run at the project root with `{name}`s replaced (quoted) and `$VAR`s
 * left to the shell, which reads them from the environment: printed first like every command,
 * and no environment value is ever part of the script's text.
 */
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { loadExeca } from '../exec';
import { DockconvError } from '../errors';
import { formatCommand } from '../shown';

export interface ScriptRun {
  key: 'pre_build_script' | 'post_build_script';
  script: string;
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
  const child = execa('sh', ['-c', s.script], {
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
    throw new DockconvError(`${s.key} of ${s.label} failed (exit ${result.exitCode ?? result.signal ?? '?'})`, { hint: s.script });
  }
}

function prefixLines(from: Readable | null, to: NodeJS.WriteStream, prefix: string): void {
  if (from) createInterface({ input: from }).on('line', (line) => to.write(`${prefix}${line}\n`));
}
