/**
 * run.cfg `pre_build_script` / `post_build_script`: shell commands by definition, so the one
 * place a shell runs. They run at the project root with `{name}`s replaced (quoted) and `$VAR`s
 * left to the shell, which reads them from the environment: printed first like every command,
 * and no environment value is ever part of the script's text.
 */
import { runProcess } from '../system/process';
import { DockconvError } from '../errors';
import { formatCommand } from '../text/shown';

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
  const result = await runProcess('sh', ['-c', s.script], { cwd: s.cwd, env: s.env, output: 'stream', prefix: s.prefix, signal: s.signal, killAfterMs: 3000 });
  if (result.canceled) throw new DockconvError(`${s.key} of ${s.label} interrupted`);
  if (result.exitCode !== 0) {
    throw new DockconvError(`${s.key} of ${s.label} failed (exit ${result.signal ?? result.exitCode})`, { hint: s.script });
  }
}
