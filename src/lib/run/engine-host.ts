/**
 * What docker-run needs to know about the machine of the engine it talks to: whether it is remote
 * (then run.cfg's `<key>_docked` values apply, since host paths and ports mean another machine),
 * and, for GPUs, what is installed beside it when it is local.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { currentEngineHost } from '../docker/endpoint';
import type { EngineInfo } from '../docker/engine';
import type { HostGpuFacts } from './gpu';

/** Remote: DOCKER_HOST or the current context point anywhere but a local socket (tcp://, ssh://). */
export function isRemoteEngine(env: NodeJS.ProcessEnv = process.env): boolean {
  return !/^(unix|npipe):/.test(currentEngineHost(env));
}

const TOOLKIT_BINARIES = ['nvidia-container-runtime-hook', 'nvidia-container-cli'];

/** GPU facts of this machine: meaningful only when the engine runs here. */
export function localGpuFacts(info: EngineInfo, env: NodeJS.ProcessEnv = process.env): HostGpuFacts {
  const path = (env['PATH'] ?? '').split(delimiter).filter(Boolean);
  const toolkit = TOOLKIT_BINARIES.some((bin) => path.some((dir) => existsSync(join(dir, bin))));
  return { toolkit, cdiKinds: cdiKinds(info.CDISpecDirs ?? []) };
}

/** Device kinds declared by the CDI spec files (YAML or JSON) in the given folders. */
export function cdiKinds(dirs: readonly string[]): string[] {
  const kinds = new Set<string>();
  for (const dir of dirs) {
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir).filter((f) => /\.(ya?ml|json)$/.test(f))) {
      const text = readFileSync(join(dir, file), 'utf8');
      for (const m of text.matchAll(/["']?kind["']?\s*:\s*["']?([\w.-]+\/[\w.-]+)/g)) kinds.add(m[1] ?? '');
    }
  }
  return [...kinds];
}
