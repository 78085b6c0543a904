/**
 * Tag and push what a plan says, every command printed first. The images are built (or found
 * current) by the build library just before, so what is pushed is built from the current inputs.
 * A failed push takes back the registry tags it added, so a re-run starts from the same state.
 */
import { engineOf } from '../docker/engine';
import { DockconvError } from '../errors';
import type { ImagePublishPlan } from './plan';
import { pushedDigest, pushFailure } from '../docker/registry-errors';

export interface PushSettings {
  dryRun: boolean;
  env: NodeJS.ProcessEnv;
  cwd: string;
  print: (line: string) => void;
}

export interface PushedRef {
  ref: string;
  digest?: string;
}

export async function pushPlan(plan: ImagePublishPlan, s: PushSettings): Promise<PushedRef[]> {
  const prefix = `[${plan.image.project}:${plan.image.type}] `;
  const engine = engineOf(s.env);
  const run = (args: string[], capture = false) => engine.command(args, { dryRun: s.dryRun, cwd: s.cwd, print: s.print, prefix, captureStderr: capture });
  const source = s.dryRun ? undefined : await engine.inspectImage(plan.source);
  if (!s.dryRun && !source) throw new DockconvError(`${plan.source} is not on the engine after its build`);
  const previous = new Map<string, string | undefined>();
  for (const target of plan.targets) {
    if (!s.dryRun) previous.set(target, (await engine.inspectImage(target))?.id);
    const tagged = await run(['tag', plan.source, target]);
    if (tagged.exitCode !== 0) {
      await restore(previous, source?.id, run);
      throw new DockconvError(`docker tag ${plan.source} ${target} failed (exit ${tagged.exitCode})`);
    }
  }
  const pushed: PushedRef[] = [];
  for (const target of plan.targets) {
    const result = await run(['push', target], true);
    if (result.exitCode !== 0) {
      await restore(previous, source?.id, run);
      throw pushFailure(target, result.stderr, result.exitCode, s.env);
    }
    const digest = pushedDigest(result.stdout);
    pushed.push({ ref: target, ...(digest ? { digest } : {}) });
  }
  return pushed;
}

/** Puts registry tags back as they were: removed where this run added them, re-pointed where it moved them. */
async function restore(previous: Map<string, string | undefined>, sourceId: string | undefined, run: (args: string[]) => Promise<{ exitCode: number }>): Promise<void> {
  for (const [target, before] of previous) {
    if (before === sourceId) continue;
    await run(before ? ['tag', before, target] : ['image', 'rm', target]);
  }
}
