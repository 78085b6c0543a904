/**
 * What docker-run needs to know about the engine it talks to: whether it is remote (then run.cfg's
 * `<key>_docked` values apply, since host paths and ports mean another machine), and, for GPUs,
 * its `docker info` plus what is installed beside it when it is local.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { DockconvError } from '../errors';
import { currentEngine, currentEngineHost, engineClient, statusOf } from '../docker/endpoint';
import type { EngineInfo, HostGpuFacts } from './gpu';

/** Remote: DOCKER_HOST or the current context point anywhere but a local socket (tcp://, ssh://). */
export function isRemoteEngine(env: NodeJS.ProcessEnv = process.env): boolean {
  return !/^(unix|npipe):/.test(currentEngineHost(env));
}

export async function engineInfo(env: NodeJS.ProcessEnv = process.env): Promise<EngineInfo> {
  const endpoint = currentEngine(env);
  const client = engineClient(endpoint);
  try {
    return (await client.docker.info()) as EngineInfo;
  } catch (err) {
    if (err instanceof DockconvError) throw err;
    throw new DockconvError(`cannot reach the Docker engine at ${endpoint.host}: ${(err as Error).message}`, {
      hint: 'is dockerd running, and DOCKER_HOST / the Docker context right?',
    });
  } finally {
    client.close();
  }
}

/**
 * Stops a container by asking the engine from this process. The engine finishes a stop it has
 * received even when the client is gone, which is what a Ctrl-C needs: Nx then kills the task's
 * whole process tree, so a `docker stop` child could die before its request left.
 */
export async function stopContainer(name: string, seconds: number, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const client = engineClient(currentEngine(env));
  try {
    await client.docker.getContainer(name).stop({ t: seconds });
  } catch (err) {
    // 304 (already stopped) and 404 (already removed by --rm) mean the work is done.
    const status = statusOf(err);
    if (status !== 304 && status !== 404) throw err;
  } finally {
    client.close();
  }
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
